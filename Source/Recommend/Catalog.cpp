#include "Recommend/Catalog.h"

#include "Recommend/CatalogSchema.h"

#include <juce_core/juce_core.h>

namespace earshot
{
namespace
{
/** Whether the file starts as every SQLite database does. */
bool hasSqliteHeader (const juce::File& file)
{
    juce::FileInputStream stream (file);
    char header[16] {};
    return stream.openedOk() && stream.read (header, sizeof (header)) == sizeof (header) &&
           std::memcmp (header, "SQLite format 3", sizeof (header)) == 0;
}

const std::string fileColumns = "SELECT id, path, fingerprint, file_size, modified_ms, title, artist, album, genre";
const std::string trackColumns = fileColumns + ", summary, features FROM tracks ";

/** A row of fileColumns, or (withAnalysis) of trackColumns. */
TrackRecord readTrack (const SqliteStatement& row, bool withAnalysis = true)
{
    TrackRecord track;
    track.id = row.integer (0);
    track.path = row.text (1);
    track.fingerprint = row.text (2);
    track.fileSize = row.integer (3);
    track.modifiedMillis = row.integer (4);
    track.title = row.text (5);
    track.artist = row.text (6);
    track.album = row.text (7);
    track.genre = row.text (8);
    if (withAnalysis)
    {
        track.summary = SummaryJson::fromJson (row.text (9));
        track.features = row.floats (10);
    }
    return track;
}

const char* kindName (FeedbackEvent::Kind kind)
{
    switch (kind)
    {
        case FeedbackEvent::Kind::like:
            return "like";
        case FeedbackEvent::Kind::skip:
            return "skip";
        case FeedbackEvent::Kind::playedToEnd:
            return "played_to_end";
        case FeedbackEvent::Kind::played:
            return "played";
    }
    return "played";
}

FeedbackEvent::Kind kindFromName (const std::string& name)
{
    if (name == "like")
        return FeedbackEvent::Kind::like;
    if (name == "skip")
        return FeedbackEvent::Kind::skip;
    if (name == "played_to_end")
        return FeedbackEvent::Kind::playedToEnd;
    return FeedbackEvent::Kind::played;
}

int64_t nowMillis()
{
    return juce::Time::currentTimeMillis();
}
} // namespace

struct Catalog::Impl
{
    SqliteDatabase database;
    std::string path;
};

Catalog::Catalog (std::unique_ptr<Impl> implToUse)
    : impl (std::move (implToUse))
{
}

Catalog::~Catalog() = default;

std::string Catalog::defaultPath()
{
#if JUCE_MAC
    const auto base =
        juce::File::getSpecialLocation (juce::File::userApplicationDataDirectory).getChildFile ("Application Support");
#elif JUCE_WINDOWS
    const auto base = juce::File::getSpecialLocation (juce::File::userApplicationDataDirectory);
#else
    // XDG: data (not configuration) belongs in $XDG_DATA_HOME, by default ~/.local/share.
    const auto xdg = juce::SystemStats::getEnvironmentVariable ("XDG_DATA_HOME", {});
    const auto base =
        juce::File::isAbsolutePath (xdg)
            ? juce::File (xdg)
            : juce::File::getSpecialLocation (juce::File::userHomeDirectory).getChildFile (".local/share");
#endif
    return base.getChildFile ("earshot").getChildFile ("catalog.db").getFullPathName().toStdString();
}

std::unique_ptr<Catalog> Catalog::open (const std::string& pathToOpen, std::string& error, int busyTimeoutMs)
{
    auto impl = std::make_unique<Impl>();
    const auto file =
        juce::File::getCurrentWorkingDirectory().getChildFile (juce::String::fromUTF8 (pathToOpen.c_str()));
    impl->path = file.getFullPathName().toStdString();
    const auto prefix = impl->path + ": ";
    const auto untouched = "; left untouched";

    if (file.isDirectory())
        error = prefix + "is a folder, not a catalog";
    else if (file.existsAsFile() && ! file.hasReadAccess())
        error = prefix + "cannot read the catalog (permission denied)";
    // SQLite would refuse a foreign file too, but only on the first query: checked before it sees the file.
    else if (file.getSize() > 0 && ! hasSqliteHeader (file))
        error = prefix + "not an Earshot catalog (not a SQLite database)" + untouched;
    else if (! file.getParentDirectory().createDirectory())
        error = prefix + "cannot create the folder " + file.getParentDirectory().getFullPathName().toStdString();
    else if (std::string reason; ! impl->database.open (impl->path, reason, busyTimeoutMs))
        error = prefix + "cannot open the catalog: " + reason;
    if (! error.empty())
        return nullptr;

    auto& db = impl->database;
    auto header = db.inspect();
    const auto isEmpty = header.applicationId == 0 && header.userVersion == 0 && header.objects == 0;
    if (header.code == SQLITE_NOTADB || header.code == SQLITE_CORRUPT)
        error = prefix + "the catalog is damaged (" + header.error + ")" + untouched;
    else if (header.code != SQLITE_OK)
        error = prefix + "cannot open the catalog: " + header.error;
    else if (! isEmpty && header.applicationId != CatalogSchema::applicationId)
        error = prefix + "not an Earshot catalog (a SQLite database of another application)" + untouched;
    else if (header.userVersion < 0)
        error =
            prefix + "the catalog is damaged (schema version " + std::to_string (header.userVersion) + ")" + untouched;
    else if (header.userVersion > schemaVersion)
        error = prefix + "the catalog has schema version " + std::to_string (header.userVersion) +
                ", newer than this Earshot reads (" + std::to_string (schemaVersion) + ")" + untouched;
    else if (! isEmpty && db.check ("PRAGMA quick_check") != "ok")
        error = prefix + "the catalog is damaged (" + sqlite3_errstr (SQLITE_CORRUPT) + ")" + untouched;
    if (! error.empty())
    {
        db.closeWithoutWriting();
        return nullptr;
    }

    // What can still refuse the file (a forged or damaged schema, a failing migration)
    // happens inside one transaction, before the switch to WAL: a refusal rolls it back
    // and the file keeps every byte (Tests/Fuzz/corpus/FuzzCatalog found the order that did not).
    {
        SqliteTransaction transaction (db);
        if (! transaction.hasBegun())
            error = prefix + "cannot open the catalog: " + db.lastError();
        else if (header.userVersion < schemaVersion && ! CatalogSchema::migrate (db))
            error = prefix + "cannot create the catalog's tables: " + db.lastError();
        else if (! CatalogSchema::hasExpectedTables (db))
            error = prefix + "the catalog is damaged (" + db.lastError() + ")" + untouched;
        else if (! CatalogSchema::refreshFeatures (db) || ! transaction.commit())
            error = prefix + "cannot open the catalog: " + db.lastError();
    }
    if (! error.empty())
    {
        db.closeWithoutWriting();
        return nullptr;
    }

    if (! db.useWriteAheadLog())
        error = prefix + "cannot switch the catalog to WAL mode: " + db.lastError();
    // NORMAL is durable against a crash or a kill of this process (only power loss can
    // lose the last commits, and never consistency) and spares an fsync per track.
    else if (! db.execute ("PRAGMA foreign_keys = ON") || ! db.execute ("PRAGMA synchronous = NORMAL"))
        error = prefix + "cannot open the catalog: " + db.lastError();
    if (! error.empty())
        return nullptr;

    db.clearError();
    return std::unique_ptr<Catalog> (new Catalog (std::move (impl)));
}

std::optional<TrackRecord> Catalog::findByPath (const std::string& path) const
{
    SqliteStatement query (impl->database, trackColumns + "WHERE path = ?1");
    query.bind (1, path);
    if (query.next())
        return readTrack (query);
    return std::nullopt;
}

std::optional<TrackRecord> Catalog::findById (int64_t id) const
{
    SqliteStatement query (impl->database, trackColumns + "WHERE id = ?1");
    query.bind (1, id);
    if (query.next())
        return readTrack (query);
    return std::nullopt;
}

std::vector<TrackRecord> Catalog::findByFingerprint (const std::string& fingerprint) const
{
    SqliteStatement query (impl->database, trackColumns + "WHERE fingerprint = ?1 ORDER BY id");
    query.bind (1, fingerprint);
    std::vector<TrackRecord> tracks;
    while (query.next())
        tracks.push_back (readTrack (query));
    return tracks;
}

int64_t Catalog::upsert (const TrackRecord& track)
{
    impl->database.clearError();
    const auto& s = track.summary;
    auto orNull = [] (double value) { return value > 0.0 ? std::optional<double> (value) : std::nullopt; };
    const auto key = s.keyName();

    // ON CONFLICT DO UPDATE (not INSERT OR REPLACE, which deletes the row) keeps the
    // id, so the track's history survives a re-analysis.
    SqliteStatement statement (impl->database, R"sql(
INSERT INTO tracks (path, fingerprint, file_size, modified_ms, duration_s, sample_rate, channels, tempo_bpm, key_name,
                    loudness_lufs, energy, danceability, brightness, dynamics, title, artist, album, genre, summary,
                    features, analysed_ms)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21)
ON CONFLICT (path) DO UPDATE SET
    fingerprint = excluded.fingerprint, file_size = excluded.file_size, modified_ms = excluded.modified_ms,
    duration_s = excluded.duration_s, sample_rate = excluded.sample_rate, channels = excluded.channels,
    tempo_bpm = excluded.tempo_bpm, key_name = excluded.key_name, loudness_lufs = excluded.loudness_lufs,
    energy = excluded.energy, danceability = excluded.danceability, brightness = excluded.brightness,
    dynamics = excluded.dynamics, title = excluded.title, artist = excluded.artist, album = excluded.album,
    genre = excluded.genre, summary = excluded.summary, features = excluded.features,
    analysed_ms = excluded.analysed_ms
RETURNING id)sql");
    statement.bind (1, track.path)
        .bind (2, track.fingerprint)
        .bind (3, track.fileSize)
        .bind (4, track.modifiedMillis)
        .bind (5, s.durationSeconds)
        .bind (6, s.sampleRate)
        .bind (7, static_cast<int64_t> (s.numChannels))
        .bind (8, orNull (s.tempoBpm))
        .bind (9, key.empty() ? std::optional<std::string>() : key)
        .bind (10, std::isfinite (s.integratedLufs) ? std::optional<double> (s.integratedLufs) : std::nullopt)
        .bind (11, static_cast<double> (s.energy))
        .bind (12, static_cast<double> (s.danceability))
        .bind (13, static_cast<double> (s.brightness))
        .bind (14, static_cast<double> (s.dynamics))
        .bind (15, track.title)
        .bind (16, track.artist)
        .bind (17, track.album)
        .bind (18, track.genre)
        .bind (19, SummaryJson::toJson (s))
        .bind (20, track.features.empty() ? s.toVector() : track.features)
        .bind (21, nowMillis());
    if (! statement.next())
        return 0;
    const auto id = statement.integer (0);
    // RETURNING hands out the row before the statement (and its implicit transaction)
    // has finished: only the step that reaches DONE commits, and reports a full disk
    // or a lock that did not go away. Until it has, the id is a promise, not a track.
    return statement.run() ? id : 0;
}

bool Catalog::moveTrack (int64_t id, const std::string& newPath, int64_t fileSize, int64_t modifiedMillis)
{
    impl->database.clearError();
    SqliteStatement statement (impl->database,
                               "UPDATE tracks SET path = ?2, file_size = ?3, modified_ms = ?4 WHERE id = ?1");
    statement.bind (1, id).bind (2, newPath).bind (3, fileSize).bind (4, modifiedMillis);
    return statement.run() && impl->database.changes() == 1;
}

int Catalog::remove (const std::vector<int64_t>& ids)
{
    impl->database.clearError();
    SqliteTransaction transaction (impl->database);
    int removed = 0;
    for (auto id : ids)
    {
        // The history goes with it: ON DELETE CASCADE.
        SqliteStatement statement (impl->database, "DELETE FROM tracks WHERE id = ?1");
        statement.bind (1, id);
        if (! statement.run())
            return 0;
        removed += impl->database.changes();
    }
    return transaction.commit() ? removed : 0;
}

std::vector<TrackRecord> Catalog::allTracks() const
{
    SqliteStatement query (impl->database, trackColumns + "ORDER BY path");
    std::vector<TrackRecord> tracks;
    while (query.next())
        tracks.push_back (readTrack (query));
    return tracks;
}

std::vector<TrackRecord> Catalog::allFiles() const
{
    SqliteStatement query (impl->database, fileColumns + " FROM tracks ORDER BY path");
    std::vector<TrackRecord> tracks;
    while (query.next())
        tracks.push_back (readTrack (query, false));
    return tracks;
}

int64_t Catalog::trackCount() const
{
    SqliteStatement query (impl->database, "SELECT count(*) FROM tracks");
    return query.next() ? query.integer (0) : 0;
}

void Catalog::addFeedback (const FeedbackEvent& event)
{
    impl->database.clearError();
    SqliteStatement statement (impl->database,
                               "INSERT INTO history (track_id, kind, position_s, time_ms) VALUES (?1, ?2, ?3, ?4)");
    statement.bind (1, event.trackId)
        .bind (2, std::string (kindName (event.kind)))
        .bind (3, event.positionSeconds)
        .bind (4, event.timeMillis);
    statement.run();
}

std::vector<FeedbackEvent> Catalog::feedback (int64_t sinceMillis) const
{
    SqliteStatement query (impl->database, "SELECT track_id, kind, position_s, time_ms FROM history "
                                           "WHERE time_ms >= ?1 ORDER BY time_ms, id");
    query.bind (1, sinceMillis);
    std::vector<FeedbackEvent> events;
    while (query.next())
        events.push_back ({ query.integer (0), kindFromName (query.text (1)), query.real (2), query.integer (3) });
    return events;
}

std::vector<float> Catalog::loadProfile() const
{
    SqliteStatement query (impl->database, "SELECT vector FROM profile WHERE id = 1");
    return query.next() ? query.floats (0) : std::vector<float> {};
}

void Catalog::saveProfile (const std::vector<float>& profile)
{
    impl->database.clearError();
    SqliteStatement statement (impl->database, "INSERT INTO profile (id, vector, updated_ms) VALUES (1, ?1, ?2) "
                                               "ON CONFLICT (id) DO UPDATE SET vector = excluded.vector, "
                                               "updated_ms = excluded.updated_ms");
    statement.bind (1, profile).bind (2, nowMillis());
    statement.run();
}

std::string Catalog::lastError() const
{
    return impl->database.lastError();
}

std::string Catalog::integrityCheck() const
{
    return impl->database.check ("PRAGMA integrity_check");
}

std::string Catalog::path() const
{
    return impl->path;
}

} // namespace earshot
