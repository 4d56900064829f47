"""A GiST trigram index on (directorate, search text), for the person search of a common name.

Issue 12: the GIN index of migration 0011 finds a name's matches but cannot give them in order
of similarity, so a common name (HADDAD at a million persons: 10,417 in one DT) was read and
ranked whole for a page of 50. A GiST trigram index answers `'HADDAD' <<-> search_text`
(word-similarity distance) as a K-nearest-neighbour scan that stops after the rows asked for
(people/models.PersonQuerySet.ranked with `cap`); btree_gist puts the directorate in the same
index, so the scan reads the viewer's DT only (the DT compared as a bigint, see
PersonQuerySet.visible_to). The planner also takes it for the bitmap scans of a search within
a DT (the directorate and the trigrams in one index). Signatures of 32 bytes, not the default
12: measured at a million persons, a name matching nobody took 64 ms through the default
index's bitmaps (too many signatures look alike) and 7 ms through this one, the
K-nearest-neighbour scan 9 ms through both (docs/benchmarks/2026-12-01-search-worklists.md).
PostgreSQL only, like 0007 and 0011; both extensions come with PostgreSQL (contrib) and need
a role allowed to create them (docs/deployment.md).
"""

from django.db import migrations


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS person_dt_search_text_gist_idx ON people_person "
        "USING gist (directorate_id, search_text gist_trgm_ops(siglen=32))"
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS person_dt_search_text_gist_idx")


class Migration(migrations.Migration):
    dependencies = [("people", "0014_person_list_index_on_upper_names")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
