"""The transport's own table: op ids already applied, for idempotency."""

from django.db import models


class AppliedOp(models.Model):
    """A client op id already applied in a scope (a workshop), with the revision it produced.

    A resent op (after a reconnect) is acked again with that revision instead of being applied
    twice. Rows are claimed before the op runs (live/pipeline.py), so two processes racing on
    one id apply it once.
    """

    scope = models.BigIntegerField()
    op_id = models.CharField(max_length=64)
    rev = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope", "op_id"], name="unique_op_per_scope")
        ]

    def __str__(self):
        return self.op_id
