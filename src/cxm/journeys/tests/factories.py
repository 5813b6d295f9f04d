import factory

from cxm.channels.models import Channel
from cxm.journeys.models import Journey, PainPoint, Severity, Stage, Touchpoint


def channel(code: str = "app") -> Channel:
    return Channel.objects.get_or_create(code=code, defaults={"kind": code})[0]


class JourneyFactory(factory.django.DjangoModelFactory[Journey]):
    class Meta:
        model = Journey

    name = factory.Sequence(lambda n: f"Journey {n}")


class StageFactory(factory.django.DjangoModelFactory[Stage]):
    class Meta:
        model = Stage

    journey = factory.SubFactory(JourneyFactory)
    name = factory.Sequence(lambda n: f"Stage {n}")
    position = factory.LazyAttribute(lambda o: Stage.objects.filter(journey=o.journey).count())


class TouchpointFactory(factory.django.DjangoModelFactory[Touchpoint]):
    class Meta:
        model = Touchpoint

    stage = factory.SubFactory(StageFactory)
    name = factory.Sequence(lambda n: f"Touchpoint {n}")
    channel = factory.LazyFunction(channel)
    position = factory.LazyAttribute(lambda o: Touchpoint.objects.filter(stage=o.stage).count())


class PainPointFactory(factory.django.DjangoModelFactory[PainPoint]):
    class Meta:
        model = PainPoint

    touchpoint = factory.SubFactory(TouchpointFactory)
    title = factory.Sequence(lambda n: f"Pain {n}")
    severity = Severity.MEDIUM
