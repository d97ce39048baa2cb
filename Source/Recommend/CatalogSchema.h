#pragma once

#include "Recommend/Catalog.h"
#include "Recommend/SqliteDatabase.h"
#include "Recommend/SummaryJson.h"

#include <iterator>

namespace earshot
{

/** The catalog's schema and how a file gets to the current version (see Catalog.h
    for what the tables hold). Header-only because Catalog.cpp is its only user.
    Thread: the thread of the connection passed in. */
namespace CatalogSchema
{
/** "Ears": marks a SQLite file as an Earshot catalog, so that a database of another
    application is recognised and left alone. */
inline constexpr int applicationId = 0x45617273;

/** Entry i moves the schema from version i to i + 1, inside one transaction. */
inline const char* const migrations[] = {
    R"sql(
CREATE TABLE tracks (
    id INTEGER PRIMARY KEY,
    path TEXT NOT NULL UNIQUE,
    fingerprint TEXT NOT NULL,
    file_size INTEGER NOT NULL,
    modified_ms INTEGER NOT NULL,
    duration_s REAL NOT NULL,
    sample_rate REAL NOT NULL,
    channels INTEGER NOT NULL,
    tempo_bpm REAL,
    key_name TEXT,
    loudness_lufs REAL,
    energy REAL NOT NULL,
    danceability REAL NOT NULL,
    brightness REAL NOT NULL,
    dynamics REAL NOT NULL,
    title TEXT NOT NULL,
    artist TEXT NOT NULL,
    album TEXT NOT NULL,
    genre TEXT NOT NULL,
    summary TEXT NOT NULL,
    features BLOB NOT NULL,
    analysed_ms INTEGER NOT NULL);
CREATE INDEX tracks_by_fingerprint ON tracks (fingerprint);
CREATE TABLE history (
    id INTEGER PRIMARY KEY,
    track_id INTEGER NOT NULL REFERENCES tracks (id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('like', 'skip', 'played_to_end', 'played')),
    position_s REAL NOT NULL,
    time_ms INTEGER NOT NULL);
CREATE INDEX history_by_track ON history (track_id);
CREATE INDEX history_by_time ON history (time_ms);
CREATE TABLE profile (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    vector BLOB NOT NULL,
    updated_ms INTEGER NOT NULL);
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
)sql",
};
static_assert (std::size (migrations) == Catalog::schemaVersion, "one migration per schema version");

/** Brings an empty or older catalog to schemaVersion. Runs inside the caller's
    transaction (Catalog::open's), so a failure leaves the file as it was. */
inline bool migrate (SqliteDatabase& db)
{
    // Another process may have created or migrated it since it was inspected: look again under the lock.
    const auto header = db.inspect();
    if (header.applicationId != applicationId && header.objects > 0)
    {
        db.setError ("another application wrote to it meanwhile");
        return false;
    }
    // SQLite's user_version is signed: a forged or damaged file can hold anything.
    if (header.userVersion < 0)
    {
        db.setError ("the catalog's schema version " + std::to_string (header.userVersion) +
                     " is not one Earshot wrote");
        return false;
    }
    for (auto version = header.userVersion; version < Catalog::schemaVersion; ++version)
        if (! db.execute (migrations[version]))
            return false;
    return db.execute ("PRAGMA application_id = " + std::to_string (applicationId)) &&
           db.execute ("PRAGMA user_version = " + std::to_string (Catalog::schemaVersion));
}

/** Every table's columns, keys, indexes and foreign keys, one line per item, in a
    fixed order: two databases with equal descriptions take the same statements. */
inline std::string describeTables (const SqliteDatabase& db)
{
    std::string description;
    // The table names come from the file: they are bound, never pasted into SQL.
    auto append = [&] (const std::string& sql, const std::string& table, int columns, const std::string& label)
    {
        SqliteStatement rows (db, sql);
        rows.bind (1, table);
        while (rows.next())
        {
            description += label;
            for (int column = 0; column < columns; ++column)
                description += "|" + rows.text (column);
            description += "\n";
        }
    };
    std::vector<std::string> tables;
    {
        SqliteStatement rows (db, "SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name");
        while (rows.next())
            tables.push_back (rows.text (0));
    }
    for (const auto& table : tables)
    {
        append ("SELECT name, type, \"notnull\", coalesce(dflt_value, ''), pk FROM pragma_table_info(?1) ORDER BY cid",
                table, 5, "column " + table);
        append ("SELECT \"unique\", origin, partial, (SELECT group_concat(name) FROM pragma_index_info(il.name)) "
                "FROM pragma_index_list(?1) AS il ORDER BY 4, 2",
                table, 4, "index " + table);
        append ("SELECT \"table\", \"from\", coalesce(\"to\", ''), on_delete FROM pragma_foreign_key_list(?1) ORDER BY "
                "id, seq",
                table, 4, "foreign " + table);
    }
    return description;
}

/** Whether the file's tables are the ones the migrations create, so every statement
    the Catalog prepares will find its columns. @returns false with the connection's
    error set to what differs. */
inline bool hasExpectedTables (SqliteDatabase& db)
{
    static const std::string expected = []
    {
        SqliteDatabase reference;
        std::string reason;
        if (! reference.open (":memory:", reason) || ! migrate (reference))
            return std::string();
        return describeTables (reference);
    }();
    const auto actual = describeTables (db);
    if (! expected.empty() && actual == expected)
        return true;
    db.setError ("its tables are not the ones Earshot writes");
    return false;
}

/** When TrackSummary::toVector() has changed layout since the features were stored,
    recomputes them all from the stored summaries, so the recommender never compares
    a new query vector with old stored ones. Runs inside the caller's transaction. */
inline bool refreshFeatures (SqliteDatabase& db)
{
    std::string names;
    for (const auto& name : TrackSummary::vectorNames())
        names += (names.empty() ? "" : ",") + name;
    {
        SqliteStatement stored (db, "SELECT value FROM meta WHERE key = 'feature_names'");
        if (stored.next() && stored.text (0) == names)
            return true;
    }

    std::vector<std::pair<int64_t, std::string>> summaries;
    SqliteStatement rows (db, "SELECT id, summary FROM tracks");
    while (rows.next())
        summaries.emplace_back (rows.integer (0), rows.text (1));

    SqliteStatement update (db, "UPDATE tracks SET features = ?2 WHERE id = ?1");
    for (const auto& [id, json] : summaries)
    {
        update.reset();
        if (! update.bind (1, id).bind (2, SummaryJson::fromJson (json).toVector()).run())
            return false;
    }
    SqliteStatement save (db, "INSERT INTO meta (key, value) VALUES ('feature_names', ?1) "
                              "ON CONFLICT (key) DO UPDATE SET value = excluded.value");
    return save.bind (1, names).run();
}
} // namespace CatalogSchema

} // namespace earshot
