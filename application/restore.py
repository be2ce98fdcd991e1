"""After a restore from backup: start a new restore epoch for every tenant's feed.

A backup is a snapshot; events committed after it are not in the restored database, and the
feed continues from the restored head, giving those positions to other events. Devices still
hold cursors from before the restore, some of them beyond the restored head. Recording the
restored head per tenant (``datacollect after-restore``, once, before the servers start) makes
every such cursor resume at most from that head (``domain.cursor``): no device skips an event.
Running it again is harmless (it only clamps old cursors to the then current head).
"""

from __future__ import annotations

import attrs

from ports.clock import Clock
from ports.repositories import UnitOfWorkFactory


@attrs.frozen(kw_only=True)
class RestoredFeed:
    tenant_id: str
    head: int  # cursors issued before now resume at most after this position
    epoch: int  # restores this feed has been through, this one included


class MarkRestored:
    def __init__(self, uow_factory: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow_factory, self._clock = uow_factory, clock

    def __call__(self) -> list[RestoredFeed]:
        now = self._clock.now()
        done = []
        with self._uow_factory() as uow:
            for tenant_id in sorted(uow.tenants.list_ids()):
                head = uow.events.head(tenant_id)
                epoch = uow.feed_restores.record(tenant_id, head, now)
                done.append(RestoredFeed(tenant_id=tenant_id, head=head, epoch=epoch))
            uow.commit()
        return done
