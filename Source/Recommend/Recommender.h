#pragma once

#include "Recommend/Embedding.h"
#include "Recommend/Index.h"
#include "Recommend/Profile.h"
#include "Recommend/TrackRecord.h"

#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace earshot
{

/** One recommended track. */
struct Recommendation
{
    int64_t trackId = 0;
    std::string path, title, artist;
    /** What it was ranked by: similarity + profile terms (see Recommender). */
    float score = 0.0f;
    /** 0..1 likeness to the query alone, overall and per FeatureGroup. */
    float similarity = 0.0f;
    Embedding::GroupSimilarities groups {};
    /** The closest groups and the farthest, e.g. "tempo 122 vs 124 BPM, same key
        A minor, timbre similarity 0.91; least alike: loudness -8.1 vs -14.0 LUFS (0.42)". */
    std::string explanation;
};

/** The recommendation engine: plain data in (tracks and feedback, e.g. from a
    Catalog), ranked and explained tracks out.

    How a query is answered:
    1. The query (a summary, or a catalogued track) is embedded (see Embedding) with
       the catalog's statistics, and the nearest `max(100, 10 k)` tracks are fetched:
       exactly below `approximateThreshold` (50,000) tracks, from an HNSW graph above
       it. Brute force costs about 0.75 ms of CPU a query at 100k tracks (RecommendBenchmark),
       so under 0.4 ms at the threshold, with no build and perfect recall; the graph
       answers 100k in about 0.45 ms at recall@10 0.996, but must be built and stored.
    2. Left out: the query's own track, and tracks played (played, played to the end
       or skipped) within `recentlyPlayedMillis` (2 hours) before `now`.
    3. Each is scored: similarity + 0.25 x profile affinity + 0.15 x tanh(the track's own
       feedback weight) (see Profile): feedback re-ranks; it cannot make an unrelated
       track outrank a close one by much.
    4. Maximal marginal relevance picks the results: each next one maximises
       0.7 x score - 0.3 x (its highest similarity to those already picked), and a track
       at least 0.97 similar to one already picked is a near-duplicate, used only if
       nothing else is left.

    The approximate index can live in a file (next to the catalog): build() loads it,
    adds what is new or changed and marks what is gone, and saves it back. The
    normalisation statistics are kept with it, so stored vectors stay comparable; they
    are measured afresh (and the graph rebuilt) when the catalog has halved or doubled
    since.

    Thread: build(), recordFeedback() on one thread with nothing else running;
    recommend() on any number of threads when nothing writes.
*/
class Recommender final
{
public:
    struct Settings
    {
        size_t approximateThreshold = 50000;
        int64_t recentlyPlayedMillis = 2 * 60 * 60 * 1000;
        float profileWeight = 0.25f, trackWeight = 0.15f;
        float mmrLambda = 0.7f;
        float nearDuplicateSimilarity = 0.97f;
        size_t minCandidates = 100, candidatesPerResult = 10;
        Embedding::GroupWeights groupWeights = Embedding::defaultWeights();
        Profile::Settings profile;
        ApproximateIndex::Settings approximate;
    };

    /** What build() did with the index file. */
    struct BuildReport
    {
        bool approximate = false, loadedIndex = false, savedIndex = false;
        size_t added = 0, removed = 0;
        /** Why the index file could not be written (the recommender still works). */
        std::string error;
    };

    Recommender();
    explicit Recommender (Settings settings);
    ~Recommender();

    /** Replaces everything with `tracks` and replays `feedback` (any order) into the
        profile. With an `indexPath` and a catalog large enough for the approximate
        index, the index is loaded from, brought up to date with and saved to that
        file (and `indexPath`.manifest). Thread: the owner, with nothing else running. */
    BuildReport build (std::vector<TrackRecord> tracks, const std::vector<FeedbackEvent>& feedback,
                       const std::string& indexPath = {});

    /** Up to `k` tracks like `query` (not necessarily in the catalog), best first.
        Thread: any, while nothing writes. */
    std::vector<Recommendation> recommend (const TrackSummary& query, size_t k, int64_t nowMillis) const;
    /** Up to `k` tracks like the catalogued track `trackId`; nothing if it is unknown.
        Thread: any, while nothing writes. */
    std::vector<Recommendation> recommend (int64_t trackId, size_t k, int64_t nowMillis) const;

    /** Feeds one like, skip or play into the profile and the listening history (the
        caller persists it, e.g. with Catalog::addFeedback). Thread: the owner, with
        nothing else running. */
    void recordFeedback (const FeedbackEvent& event);

    /** The catalogued track, or nullptr. The getters below: any thread, while nothing writes. */
    const TrackRecord* findTrack (int64_t trackId) const;
    size_t size() const { return tracks.size(); }
    bool usesApproximateIndex() const { return approximate; }
    const Embedding& embedding() const { return space; }
    const Profile& profile() const { return listener; }
    const Settings& settings() const { return config; }

private:
    std::vector<Recommendation> rank (const float* query, const std::vector<float>& queryFeatures,
                                      std::optional<int64_t> queryTrackId, size_t k, int64_t nowMillis) const;
    bool loadIndex (const std::string& path);
    bool saveIndex (const std::string& path, std::string& error) const;
    const float* embeddingOf (size_t position) const { return embeddings.data() + position * space.dimension(); }

    Settings config;
    Embedding space;
    std::vector<TrackRecord> tracks;
    std::unordered_map<int64_t, size_t> positions;
    std::vector<float> embeddings;
    std::unique_ptr<Index> index;
    bool approximate = false;
    /** Track id -> hash of the features its indexed vector came from (index file only). */
    std::unordered_map<int64_t, uint64_t> indexed;
    Profile listener;
    std::unordered_map<int64_t, int64_t> lastPlayedMillis;
};

} // namespace earshot
