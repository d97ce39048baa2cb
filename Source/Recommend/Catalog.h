#pragma once

#include "Recommend/TrackRecord.h"

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace earshot
{

/** The user's music catalog: a SQLite database (WAL mode) with a versioned
    schema: tracks with their analysis, listening history and feedback, and the
    listener's profile.

    A database that is damaged or not Earshot's is refused with a clear error and
    never written to. Every write is a transaction, so a crash or a kill leaves
    either the old or the new state.

    Schema (version 1; `PRAGMA application_id` 0x45617273 "Ears" marks the file as
    Earshot's, `PRAGMA user_version` holds the schema version):
      tracks   one row per file: path (unique), fingerprint, file size and mtime,
               duration, sample rate, channels, tempo, key, loudness, the four
               descriptors and the tags as columns (for queries and other tools),
               the whole TrackSummary as JSON, and summary.toVector() as a BLOB
               of little-endian float32 (the "features").
      history  plays, skips and likes (FeedbackEvent), ON DELETE CASCADE from tracks.
      profile  one row: the recommender's profile vector (float32 BLOB).
      meta     key/value: "feature_names", the layout the stored features follow;
               when TrackSummary::vectorNames() changes, open() recomputes every
               track's features from its stored summary.

    Thread: one Catalog object per thread (SQLite connections are not shared), and
    every method is called on the thread that owns the object; several processes or
    threads may open the same file.
*/
class Catalog final
{
public:
    /** The default database: earshot/catalog.db in the user's data directory
        ($XDG_DATA_HOME or ~/.local/share on Linux). Any thread. */
    static std::string defaultPath();

    /** Opens (creating if missing, with its folder) the database at `path` and
        migrates its schema. Runs `PRAGMA quick_check` first, so damage is found here
        rather than half-way through a scan (it reads the whole file: some
        milliseconds per thousand tracks). Any thread; the object then belongs to it.
        While another program holds the catalog's write lock (a scan commits every track),
        opening and every write wait up to `busyTimeoutMs` for it, then fail with an error
        saying so; nothing is changed then.
        @returns nullptr with `error` set (one line, naming the file) if it cannot be used. */
    static std::unique_ptr<Catalog> open (const std::string& path, std::string& error,
                                          int busyTimeoutMs = defaultBusyTimeoutMs);
    static constexpr int defaultBusyTimeoutMs = 30000;

    /** Owning thread. */
    ~Catalog();

    /** The track at `path`, if catalogued. Owning thread. */
    std::optional<TrackRecord> findByPath (const std::string& path) const;
    /** The track with this id, if catalogued. Owning thread. */
    std::optional<TrackRecord> findById (int64_t id) const;
    /** Tracks with this content fingerprint (copies, or a file that was moved), by id.
        Owning thread. */
    std::vector<TrackRecord> findByFingerprint (const std::string& fingerprint) const;

    /** Inserts or replaces the track with the same path, keeping its id (and so its
        history) when it replaces; `track.id` is ignored. Empty `track.features` are
        filled in from `track.summary.toVector()`. One transaction. Owning thread.
        @returns its id (0 on error, see lastError()). */
    int64_t upsert (const TrackRecord& track);

    /** Gives track `id` a new path and file stamp, keeping its analysis and history:
        for a file that was moved or renamed. @returns false if `id` is not catalogued
        or another track already has `newPath`. Owning thread. */
    bool moveTrack (int64_t id, const std::string& newPath, int64_t fileSize, int64_t modifiedMillis);

    /** Removes tracks (and their history) by id, in one transaction. Owning thread.
        @returns how many were removed (0 on error, see lastError()). */
    int remove (const std::vector<int64_t>& ids);

    /** Every track, ordered by path. Owning thread. */
    std::vector<TrackRecord> allTracks() const;
    /** Every track by path with only id, path, fingerprint, file size and mtime and
        the tags filled in: the cheap listing a scan compares with the disk. Owning thread. */
    std::vector<TrackRecord> allFiles() const;
    /** Owning thread. */
    int64_t trackCount() const;

    /** Records a play, skip or like of a catalogued track (else it fails: see
        lastError()). Owning thread. */
    void addFeedback (const FeedbackEvent& event);
    /** Feedback and plays at or after `sinceMillis` (0 for all), oldest first. Owning thread. */
    std::vector<FeedbackEvent> feedback (int64_t sinceMillis = 0) const;

    /** The profile blob the recommender keeps (empty if none). Owning thread. */
    std::vector<float> loadProfile() const;
    /** Replaces the profile blob (failures: see lastError()). Owning thread. */
    void saveProfile (const std::vector<float>& profile);

    /** The error of the last call that failed (cleared by each write), or empty. Owning thread. */
    std::string lastError() const;

    /** Runs `PRAGMA integrity_check` (reads the whole file); @returns "ok" or what
        SQLite found. Owning thread. */
    std::string integrityCheck() const;

    /** The database file, as an absolute path. Owning thread. */
    std::string path() const;

    static constexpr int schemaVersion = 1;

private:
    struct Impl;
    explicit Catalog (std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl;
};

} // namespace earshot
