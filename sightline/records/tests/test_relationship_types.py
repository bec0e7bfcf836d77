"""The relationship types a feed may send are the ones a person's relationships can hold."""

from sightline.people.models import Relationship
from sightline.records.ingest import spec


def test_the_feed_vocabulary_and_the_model_agree() -> None:
    assert set(spec.RELATIONSHIP_TYPES) == set(Relationship.Type.values)
