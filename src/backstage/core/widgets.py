"""Form widgets shared by the apps."""

from collections.abc import Mapping
from typing import Any

from django import forms
from django.utils.datastructures import MultiValueDict

from backstage.core.text import typed_line_breaks


class Textarea(forms.Textarea):
    """A text area whose line breaks count as the browser counted them while the person typed."""

    def value_from_datadict(self, data: Mapping[str, Any], files: MultiValueDict, name: str) -> Any:
        value = super().value_from_datadict(data, files, name)
        return typed_line_breaks(value) if isinstance(value, str) else value
