"""What resolvers/sql/hydrate.py, the tortoise fence, relies on in the installed tortoise
(tests/api/test_perf_batch.py compares its instances with a queryset's). When an upgrade
moves one of these, the test names the function to mend."""

from __future__ import annotations

import pytest

from models import Postcard, Track, User
from resolvers.sql import hydrate


def mend(where: str) -> str:
    return f"the installed tortoise changed what {where} relies on: mend it there"


@pytest.mark.usefixtures("app")
def test_what_hydrate_reads_of_a_models_meta() -> None:
    meta = User._meta
    for name in (
        "db",
        "db_table",
        "fields_map",
        "fields_db_projection",
        "db_native_fields",
        "db_default_fields",
        "db_complex_fields",
        "db_pk_column",
        "generated_db_fields",
    ):
        assert hasattr(meta, name), mend(f"resolvers/sql/hydrate.py (Model._meta.{name})")
    assert hydrate.table(User) == "users"
    assert "username" in hydrate.columns(User)
    assert hydrate.connection(User).capabilities.dialect in {"sqlite", "postgres"}


async def test_a_fetched_relation_and_a_copy_of_a_row() -> None:
    maya = await User.create(username="maya", password_hash="x")
    track = await Track.create(title="t", artist="a", dedupe_key="t\x1fa")
    await Postcard.create(author=maya, track=track)
    fetched = await Postcard.all().select_related("author").first()
    assert fetched is not None
    assert hydrate.joined(fetched, "author", User) is not None, mend(
        "resolvers/sql/hydrate.py joined"
    )
    assert hydrate.joined(await Postcard.all().first(), "author", User) is None
    clone = hydrate.copy_row(maya)
    clone.display_name = "Maya A."
    await clone.save(update_fields=["display_name"])
    assert maya.display_name != "Maya A.", mend("resolvers/sql/hydrate.py copy_row")
    assert (await User.get(id=maya.id)).display_name == "Maya A."


@pytest.mark.usefixtures("app")
def test_a_json_column_converts_as_tortoise_converts_it() -> None:
    from tortoise.exceptions import FieldError

    field = Postcard._meta.fields_map["photo"]
    assert not hydrate._is_pydantic(field), mend("resolvers/sql/hydrate.py _is_pydantic")
    convert = hydrate._converter(field)
    for value in ('{"width": 3, "renditions": []}', "[1, 2]", "null", {"a": 1}, None):
        assert convert(value) == field.to_python_value(value)
    with pytest.raises(FieldError):  # tortoise's own refusal of text that is not JSON
        convert("{not json")


@pytest.mark.usefixtures("app")
def test_a_time_converts_as_tortoise_converts_it_once_per_text(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    field = Postcard._meta.fields_map["created_at"]
    convert = hydrate._converter(field)
    texts = ["2026-12-04T14:08:52+00:00", "2026-12-04T15:08:52.250+01:00", "2026-12-04 14:08:52"]
    for text in texts:
        first = convert(text)
        assert first == field.to_python_value(text)
        assert first.tzinfo == field.to_python_value(text).tzinfo
        assert convert(text) is first  # the text's time, made once
    assert convert(None) is None
    monkeypatch.setattr(hydrate, "MAX_SEEN_TIMES", 2)
    bounded = hydrate._converter(field)
    made = [bounded(text) for text in texts]  # the third empties what was seen
    assert bounded(texts[2]) is made[2] and bounded(texts[0]) is not made[0]
    assert bounded(texts[0]) == made[0]
