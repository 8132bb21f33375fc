"""An organisation created from a roadmap's title gets the kind its name says."""

from __future__ import annotations

import pytest

from core.models import OrganisationKind
from core.organisation_names import guess_kind


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("МБОУ «СОШ №2»", OrganisationKind.SCHOOL),
        ("МБОУ «СОШ №2 г. Артёма» муниципального района", OrganisationKind.SCHOOL),
        ("МКУ «Управление образования»", OrganisationKind.MUNICIPALITY),
        ("Управление образования администрации Артёмовского ГО", OrganisationKind.MUNICIPALITY),
        ("Комитет по образованию Ульчского района", OrganisationKind.MUNICIPALITY),
        ("Отдел образования", OrganisationKind.MUNICIPALITY),
        ("Министерство образования Приморского края", OrganisationKind.REGION),
        ("Краевой институт развития образования", OrganisationKind.REGION),
        ("Администрация Ульчского муниципального района", OrganisationKind.MUNICIPALITY),
        # A state school run by the region is still a school.
        ("КГБОУ «Краевая школа-интернат»", OrganisationKind.SCHOOL),
        ("Администрация МБОУ «Лицей №2»", OrganisationKind.SCHOOL),
    ],
)
def test_the_kind_follows_the_kind_of_body(name: str, kind: OrganisationKind) -> None:
    assert guess_kind(name) is kind
