from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "sightline.people"
    label = "people"

    def ready(self) -> None:
        from sightline.core import extensions

        # A merge moves a person's names, identifiers, addresses, search keys and relationships
        # to the survivor (identity.merging); `merged_into` is the merge's own pointer.
        extensions.register_person_fields(
            "people.PersonName.person",
            "people.Identifier.person",
            "people.Address.person",
            "people.NameKey.person",
            "people.Relationship.from_person",
            "people.Relationship.to_person",
        )
        extensions.register_person_fields("people.Person.merged_into", on_merge="keep")

        # The audit log's pages (governance) name children by their Sightline reference.
        from sightline.people import directory

        extensions.register_person_directory(
            extensions.PersonDirectory(
                ids_for_reference=directory.ids_for_reference, references=directory.references
            )
        )

        # "Find a child" for those whose role finds children.
        extensions.register_nav_item(
            "search",
            "Find a child",
            "people:search",
            capabilities=["view_all_children", "view_granted_children"],
            order=10,
        )
