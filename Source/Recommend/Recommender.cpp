#include "Recommend/Recommender.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <iomanip>
#include <limits>
#include <sstream>
#include <thread>

namespace earshot
{
namespace
{
constexpr const char* manifestMagic = "earshot-recommend-index";
constexpr int manifestVersion = 1;

/** FNV-1a over the feature values' bytes: a track whose features changed is re-indexed. */
uint64_t hashOf (const std::vector<float>& features)
{
    uint64_t hash = 14695981039346656037ull;
    for (auto value : features)
    {
        unsigned char bytes[sizeof (float)];
        std::memcpy (bytes, &value, sizeof (float));
        for (auto byte : bytes)
            hash = (hash ^ byte) * 1099511628211ull;
    }
    return hash;
}

bool countsAsPlayed (FeedbackEvent::Kind kind)
{
    switch (kind)
    {
        case FeedbackEvent::Kind::played:
        case FeedbackEvent::Kind::playedToEnd:
        case FeedbackEvent::Kind::skip:
            return true;
        case FeedbackEvent::Kind::like:
            break;
    }
    return false;
}

std::string manifestHeader (const Embedding::GroupWeights& weights)
{
    std::ostringstream s;
    s << manifestMagic << ' ' << manifestVersion << ' ' << Embedding::dimension() << std::setprecision (9);
    for (auto w : weights)
        s << ' ' << w;
    return s.str();
}
} // namespace

Recommender::Recommender()
    : Recommender (Settings {})
{
}

Recommender::Recommender (Settings settings)
    : config (std::move (settings))
    , space (Embedding::measure ({}), config.groupWeights)
    , listener (Embedding::dimension(), config.profile)
{
}

Recommender::~Recommender() = default;

Recommender::BuildReport Recommender::build (std::vector<TrackRecord> newTracks,
                                             const std::vector<FeedbackEvent>& feedback, const std::string& indexPath)
{
    BuildReport report;
    tracks = std::move (newTracks);
    positions.clear();
    const auto numFeatures = TrackSummary::vectorNames().size();
    for (size_t i = 0; i < tracks.size(); ++i)
    {
        positions[tracks[i].id] = i;
        if (tracks[i].features.size() != numFeatures)
            tracks[i].features = tracks[i].summary.toVector();
    }

    approximate = tracks.size() >= config.approximateThreshold;
    report.approximate = approximate;
    const auto persistent = approximate && ! indexPath.empty();
    auto loaded = persistent && loadIndex (indexPath);
    if (loaded)
    {
        // Statistics measured on a catalog of a very different size no longer describe it.
        const auto measuredOn = static_cast<size_t> (space.statistics().trackCount);
        loaded = tracks.size() <= 2 * measuredOn && 2 * tracks.size() >= measuredOn;
    }
    report.loadedIndex = loaded;

    if (! loaded)
    {
        std::vector<const std::vector<float>*> features;
        for (const auto& track : tracks)
            features.push_back (&track.features);
        space = Embedding (Embedding::measure (features), config.groupWeights);
        if (approximate)
            index = std::make_unique<ApproximateIndex> (Embedding::dimension(), config.approximate);
        else
            index = std::make_unique<ExactIndex> (Embedding::dimension());
        indexed.clear();
    }

    const auto dims = Embedding::dimension();
    embeddings.assign (tracks.size() * dims, 0.0f);
    for (size_t i = 0; i < tracks.size(); ++i)
        space.embed (tracks[i].features, embeddings.data() + i * dims);

    if (! approximate)
    {
        for (size_t i = 0; i < tracks.size(); ++i)
            index->add (tracks[i].id, embeddingOf (i));
        report.added = tracks.size();
    }
    else
    {
        for (auto entry = indexed.begin(); entry != indexed.end();)
        {
            if (positions.count (entry->first) > 0)
            {
                ++entry;
                continue;
            }
            index->remove (entry->first);
            entry = indexed.erase (entry);
            ++report.removed;
        }

        std::vector<int64_t> ids;
        std::vector<float> vectors;
        for (size_t i = 0; i < tracks.size(); ++i)
        {
            const auto hash = hashOf (tracks[i].features);
            const auto found = indexed.find (tracks[i].id);
            if (found != indexed.end() && found->second == hash)
                continue;
            indexed[tracks[i].id] = hash;
            ids.push_back (tracks[i].id);
            vectors.insert (vectors.end(), embeddingOf (i), embeddingOf (i) + dims);
        }
        const auto threads = static_cast<int> (std::max (1u, std::thread::hardware_concurrency()));
        static_cast<ApproximateIndex&> (*index).addBatch (ids, vectors.data(), threads);
        report.added = ids.size();

        if (persistent && (! loaded || report.added > 0 || report.removed > 0))
            report.savedIndex = saveIndex (indexPath, report.error);
    }

    listener = Profile (dims, config.profile);
    lastPlayedMillis.clear();
    for (const auto& event : feedback)
        recordFeedback (event);
    return report;
}

bool Recommender::loadIndex (const std::string& path)
{
    std::ifstream manifest (path + ".manifest");
    std::string header, statisticsLine;
    if (! std::getline (manifest, header) || header != manifestHeader (config.groupWeights) ||
        ! std::getline (manifest, statisticsLine))
        return false;
    const auto statistics = EmbeddingStatistics::parse (statisticsLine);
    if (! statistics.has_value())
        return false;

    std::unordered_map<int64_t, uint64_t> entries;
    int64_t id = 0;
    uint64_t hash = 0;
    while (manifest >> id >> hash)
        entries[id] = hash;

    auto graph = std::make_unique<ApproximateIndex> (Embedding::dimension(), config.approximate);
    std::string error;
    if (! manifest.eof() || ! graph->load (path, error) || graph->size() != entries.size())
        return false;
    for (const auto& entry : entries)
        if (! graph->contains (entry.first))
            return false;

    space = Embedding (*statistics, config.groupWeights);
    index = std::move (graph);
    indexed = std::move (entries);
    return true;
}

bool Recommender::saveIndex (const std::string& path, std::string& error) const
{
    // The graph first, then the manifest that vouches for it: a crash in between
    // leaves a manifest that disagrees with the graph, which loadIndex() refuses
    // (or whose stale hashes make the next build re-add those tracks).
    if (! index->save (path, error))
        return false;
    const auto temporary = path + ".manifest.tmp";
    {
        std::ofstream out (temporary);
        out << manifestHeader (config.groupWeights) << '\n' << space.statistics().serialise() << '\n';
        for (const auto& entry : indexed)
            out << entry.first << ' ' << entry.second << '\n';
        if (! out.flush())
            return (error = "cannot write " + temporary, false);
    }
    if (std::rename (temporary.c_str(), (path + ".manifest").c_str()) != 0)
        return (error = "cannot write " + path + ".manifest", false);
    return true;
}

std::vector<Recommendation> Recommender::recommend (const TrackSummary& query, size_t k, int64_t nowMillis) const
{
    const auto features = query.toVector();
    const auto embedded = space.embed (features);
    return rank (embedded.data(), features, std::nullopt, k, nowMillis);
}

std::vector<Recommendation> Recommender::recommend (int64_t trackId, size_t k, int64_t nowMillis) const
{
    const auto found = positions.find (trackId);
    if (found == positions.end())
        return {};
    return rank (embeddingOf (found->second), tracks[found->second].features, trackId, k, nowMillis);
}

std::vector<Recommendation> Recommender::rank (const float* query, const std::vector<float>& queryFeatures,
                                               std::optional<int64_t> queryTrackId, size_t k, int64_t nowMillis) const
{
    if (k == 0 || index == nullptr || tracks.empty())
        return {};

    auto recentlyPlayed = [&] (int64_t id)
    {
        const auto found = lastPlayedMillis.find (id);
        return found != lastPlayedMillis.end() && found->second > nowMillis - config.recentlyPlayedMillis &&
               found->second <= nowMillis;
    };
    size_t numExcluded = 1;
    for (const auto& entry : lastPlayedMillis)
        if (recentlyPlayed (entry.first))
            ++numExcluded;

    struct Candidate
    {
        size_t position;
        float similarity, score, closestPicked;
        bool picked;
    };
    std::vector<Candidate> candidates;
    const auto poolSize = std::max (config.minCandidates, k * config.candidatesPerResult) + numExcluded;
    for (const auto& neighbour : index->search (query, poolSize))
    {
        if (neighbour.id == queryTrackId || recentlyPlayed (neighbour.id))
            continue;
        const auto position = positions.at (neighbour.id);
        const auto similarity = space.similarityOfDistance (neighbour.distanceSquared);
        const auto score = similarity +
                           config.profileWeight * listener.affinity (embeddingOf (position), space, nowMillis) +
                           config.trackWeight * std::tanh (listener.trackWeight (neighbour.id, nowMillis));
        candidates.push_back ({ position, similarity, score, 0.0f, false });
    }

    // Maximal marginal relevance, skipping near-duplicates of what is picked.
    std::vector<size_t> order;
    while (order.size() < k)
    {
        auto best = candidates.size();
        auto bestValue = -std::numeric_limits<float>::infinity();
        for (size_t i = 0; i < candidates.size(); ++i)
        {
            const auto& c = candidates[i];
            if (c.picked || c.closestPicked >= config.nearDuplicateSimilarity)
                continue;
            const auto value = config.mmrLambda * c.score - (1.0f - config.mmrLambda) * c.closestPicked;
            if (value > bestValue)
            {
                best = i;
                bestValue = value;
            }
        }
        if (best == candidates.size())
            break;
        candidates[best].picked = true;
        order.push_back (best);
        for (auto& c : candidates)
            if (! c.picked)
                c.closestPicked =
                    std::max (c.closestPicked,
                              space.similarity (embeddingOf (c.position), embeddingOf (candidates[best].position)));
    }
    // Only near-duplicates left: better than too few results.
    std::vector<size_t> rest;
    for (size_t i = 0; i < candidates.size(); ++i)
        if (! candidates[i].picked)
            rest.push_back (i);
    std::stable_sort (rest.begin(), rest.end(),
                      [&] (size_t a, size_t b) { return candidates[a].score > candidates[b].score; });
    for (size_t i = 0; i < rest.size() && order.size() < k; ++i)
        order.push_back (rest[i]);

    std::vector<Recommendation> results;
    for (auto i : order)
    {
        const auto& c = candidates[i];
        const auto& track = tracks[c.position];
        Recommendation r;
        r.trackId = track.id;
        r.path = track.path;
        r.title = track.title;
        r.artist = track.artist;
        r.score = c.score;
        r.similarity = c.similarity;
        r.groups = space.groupSimilarities (query, embeddingOf (c.position));
        r.explanation = Embedding::explain (queryFeatures, track.features, r.groups);
        results.push_back (std::move (r));
    }
    return results;
}

void Recommender::recordFeedback (const FeedbackEvent& event)
{
    if (countsAsPlayed (event.kind))
    {
        auto& last = lastPlayedMillis.try_emplace (event.trackId, event.timeMillis).first->second;
        last = std::max (last, event.timeMillis);
    }
    const auto found = positions.find (event.trackId);
    if (found == positions.end())
        listener.add (event, 0.0, nullptr);
    else
        listener.add (event, tracks[found->second].summary.durationSeconds, embeddingOf (found->second));
}

const TrackRecord* Recommender::findTrack (int64_t trackId) const
{
    const auto found = positions.find (trackId);
    return found == positions.end() ? nullptr : &tracks[found->second];
}

} // namespace earshot
