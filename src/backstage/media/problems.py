"""What went wrong with a file, in words for the person who uploaded it."""

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

PROBLEMS: dict[str, Promise] = {
    "empty": _("The file is empty."),
    "too_large": _("The file is larger than the studio accepts."),
    "unknown_type": _(
        "Judging by its content (not its name), this is not a video, sound, image, PDF or plain text file."
    ),
    "kind_not_allowed": _("This kind of file is not accepted here."),
    "polyglot": _("The file also contains a web page, a script or an archive hidden inside it."),
    "active_content": _("The PDF contains scripts, embedded files or actions, which are not accepted."),
    "not_an_image": _("The file says it is an image but cannot be read as one."),
    "corrupt": _("The file is damaged or incomplete: it cannot be read to the end."),
    "too_many_frames": _("The animated image has too many frames."),
    "mismatch": _(
        "The file's content does not match its name or type: it is named as one kind of file but holds another."
    ),
    "duplicate": _("You have already uploaded this very file."),
    "missing": _("The uploaded data was lost before it could be checked; please upload the file again."),
    "not_media": _("The file cannot be read as video or sound."),
    "unsupported_format": _(
        "This video or sound format is not accepted (for example playlists, or formats that refer to other files)."
    ),
    "no_streams": _("The file holds no picture or sound to work with."),
    "timeout": _("Processing took too long and was stopped."),
    "ffmpeg_missing": _("The studio's media tools are not available right now. The team can retry later."),
    "ffmpeg_failed": _(
        "The conversion failed. The team can retry it; if it fails again, re-export the file."
    ),
}
UNKNOWN = _("Something went wrong while processing the file.")


def describe(code: str) -> str:
    return str(PROBLEMS.get(code, UNKNOWN))
