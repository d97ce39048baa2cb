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

    Thread: one Catalog object per thread (SQLite connections are not shared);
    several processes or threads may open the same file.
*/
class Catalog final
{
public:
    /** The default database: earshot/catalog.db in the user's data directory. */
    static std::string defaultPath();

    /** Opens (creating if missing) the database at `path` and migrates its schema.
        @returns nullptr with `error` set (one line) if it cannot be used. */
    static std::unique_ptr<Catalog> open (const std::string& path, std::string& error);

    ~Catalog();

    /** The track at `path`, if catalogued. */
    std::optional<TrackRecord> findByPath (const std::string& path) const;
    std::optional<TrackRecord> findById (int64_t id) const;

    /** Inserts or replaces the track with the same path; @returns its id (0 on error). */
    int64_t upsert (const TrackRecord& track);

    /** Removes tracks (and their history) by id. @returns how many were removed. */
    int remove (const std::vector<int64_t>& ids);

    /** Every track, ordered by path. */
    std::vector<TrackRecord> allTracks() const;
    int64_t trackCount() const;

    void addFeedback (const FeedbackEvent& event);
    /** Feedback and plays, oldest first; `sinceMillis` 0 for all. */
    std::vector<FeedbackEvent> feedback (int64_t sinceMillis = 0) const;

    /** The profile blob the recommender keeps (empty if none). */
    std::vector<float> loadProfile() const;
    void saveProfile (const std::vector<float>& profile);

    /** The last error of a write, or empty. */
    std::string lastError() const;

    /** Runs `PRAGMA integrity_check`; @returns "ok" or what SQLite found. */
    std::string integrityCheck() const;

    static constexpr int schemaVersion = 1;

private:
    struct Impl;
    explicit Catalog (std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl;
};

} // namespace earshot
