"""What happens in productions, for the apps above that react to it (notifications, activity).

Sent by the services inside their transaction; receivers defer outside work with on_commit.
"""

from django.dispatch import Signal

# sender=Call, call=<Call>
call_opened = Signal()
# sender=Membership, membership=<Membership>
member_joined = Signal()
