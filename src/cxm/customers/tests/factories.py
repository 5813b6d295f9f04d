from typing import Any

import factory

from cxm.customers.models import Customer


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer
        skip_postgeneration_save = True

    external_id = factory.Sequence(lambda n: f"C{n:06d}")
    name = factory.Sequence(lambda n: f"Customer {n}")

    @factory.post_generation
    def _search(obj: Any, create: bool, extracted: Any, **kwargs: Any) -> None:
        obj.refresh_search_text()
        if create:
            obj.save(update_fields=["search_text"])
