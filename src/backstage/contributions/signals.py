"""What happens to contributions, for the apps above that react to it (notifications, activity).

Sent by the services once the change is saved, inside their transaction: receivers that do
outside work (e-mail) must defer it with ``transaction.on_commit``.
"""

from django.dispatch import Signal

# sender=Contribution, contribution=<Contribution>
contribution_submitted = Signal()
# sender=Contribution, contribution=<Contribution>, decision=<Decision>
contribution_reviewed = Signal()
# sender=Comment, comment=<Comment>, mentioned=<list[User]>  (sent by the comment services)
comment_posted = Signal()
