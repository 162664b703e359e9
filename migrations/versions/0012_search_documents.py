"""search on PostgreSQL full text: search_documents (weighted tsvector, GIN) and search_words (pg_trgm)

Only on PostgreSQL: on SQLite the search index is whoosh's files, so this does nothing.
The tables belong to search/postgres_index.py, not to the portal's models (they are left out
of the schema comparison there).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 19:00:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    # vector: title A, tags and product B, summary C, body D, in the row's text search
    # configuration; rank_vector: the same with only the body's start, small enough to rank
    # thousands of matches quickly; words: each word of the text, lowercased and unstemmed, for
    # "did you mean".
    op.execute("""
        CREATE TABLE search_documents (
            id text PRIMARY KEY,
            title text NOT NULL,
            summary text NOT NULL,
            body text NOT NULL,
            tags text NOT NULL,
            product text NOT NULL,
            asset_type text NOT NULL,
            language text NOT NULL,
            config regconfig NOT NULL,
            vector tsvector NOT NULL,
            rank_vector tsvector NOT NULL,
            words tsvector NOT NULL
        )
    """)
    op.execute("CREATE INDEX search_documents_vector ON search_documents USING gin (vector)")
    op.execute("CREATE INDEX search_documents_words ON search_documents USING gin (words)")
    op.execute("CREATE TABLE search_words (word text PRIMARY KEY)")
    op.execute("CREATE INDEX search_words_trigrams ON search_words USING gin (word gin_trgm_ops)")


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TABLE search_words")
    op.execute("DROP TABLE search_documents")
