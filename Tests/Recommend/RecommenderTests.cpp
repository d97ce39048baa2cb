#include "Recommend/Recommender.h"
#include "Recommend/TrackFamilies.h"

#include <catch2/catch.hpp>
#include <juce_core/juce_core.h>

#include <algorithm>

using namespace earshot;

namespace
{
constexpr int perFamily = 25;
constexpr int64_t now = 1800000000000;
constexpr int64_t hour = 3600 * 1000, day = 24 * hour;

int familyOf (int64_t id)
{
    return static_cast<int> ((id - 1) / perFamily);
}

Recommender::Settings exactOrApproximate (bool approximate)
{
    Recommender::Settings settings;
    settings.approximateThreshold = approximate ? 0 : 1000000;
    return settings;
}

FeedbackEvent event (int64_t id, FeedbackEvent::Kind kind, int64_t time, double position = 0.0)
{
    FeedbackEvent e;
    e.trackId = id;
    e.kind = kind;
    e.timeMillis = time;
    e.positionSeconds = position;
    return e;
}

/** A track between the four families: no tempo, no key, the mean of their timbres. */
TrackSummary neutralQuery()
{
    std::mt19937 random (99);
    auto query = test::randomSummary (random);
    query.tempoBpm = 0.0f;
    query.keyConfidence = 0.0f;
    const auto families = test::fourFamilies();
    query.mfccMean = {};
    query.spectralCentroidHz.mean = 0.0f;
    for (const auto& f : families)
    {
        for (size_t i = 0; i < query.mfccMean.size(); ++i)
            query.mfccMean[i] += f.mfcc[i] / 4.0f;
        query.spectralCentroidHz.mean += f.centroidHz / 4.0f;
    }
    return query;
}

/** The mean rank (0 = first) of family `family` when every track is ranked. */
double meanRankOf (const Recommender& recommender, int family)
{
    const auto all = recommender.recommend (neutralQuery(), recommender.size(), now);
    double sum = 0.0, count = 0.0;
    for (size_t rank = 0; rank < all.size(); ++rank)
        if (familyOf (all[rank].trackId) == family)
        {
            sum += static_cast<double> (rank);
            count += 1.0;
        }
    return sum / count;
}
} // namespace

TEST_CASE ("Tracks of a query's family fill at least 90% of its top 5, for every family", "[recommend]")
{
    const auto approximate = GENERATE (false, true);
    CAPTURE (approximate);
    Recommender recommender (exactOrApproximate (approximate));
    recommender.build (test::familyCatalog (test::fourFamilies(), perFamily), {});
    CHECK (recommender.usesApproximateIndex() == approximate);

    for (int family = 0; family < 4; ++family)
    {
        int hits = 0;
        for (int n = 0; n < perFamily; ++n)
        {
            const int64_t id = family * perFamily + n + 1;
            const auto found = recommender.recommend (id, 5, now);
            REQUIRE (found.size() == 5);
            for (const auto& r : found)
            {
                CHECK (r.trackId != id);
                hits += familyOf (r.trackId) == family ? 1 : 0;
            }
        }
        const auto precision = hits / (5.0 * perFamily);
        CAPTURE (family, precision);
        CHECK (precision >= 0.9);
    }
}

TEST_CASE ("Recommendations explain themselves with the family's tempo and key", "[recommend]")
{
    Recommender recommender;
    recommender.build (test::familyCatalog (test::fourFamilies(), perFamily), {});
    const auto found = recommender.recommend (1, 3, now); // family 0: 124 BPM, A minor
    REQUIRE (found.size() == 3);
    for (const auto& r : found)
    {
        CAPTURE (r.explanation);
        CHECK (r.explanation.find ("same key A minor") != std::string::npos);
        CHECK (r.explanation.find (" BPM") != std::string::npos);
        CHECK (r.explanation.find ("tempo 12") != std::string::npos);
        CHECK (r.explanation.find ("; least alike: ") != std::string::npos);
        CHECK (r.similarity > 0.0f);
        CHECK (r.similarity <= 1.0f);
    }
}

TEST_CASE ("Likes raise a family for a neutral query, skips lower it", "[recommend]")
{
    const auto tracks = test::familyCatalog (test::fourFamilies(), perFamily);
    constexpr int family = 1;
    auto ranked = [&] (FeedbackEvent::Kind kind, double position)
    {
        std::vector<FeedbackEvent> feedback;
        if (kind != FeedbackEvent::Kind::played)
            for (int64_t id : { 26, 30, 35 }) // family 1
                feedback.push_back (event (id, kind, now - day, position));
        Recommender recommender;
        recommender.build (tracks, feedback);
        return meanRankOf (recommender, family);
    };

    const auto neutral = ranked (FeedbackEvent::Kind::played, 0.0);
    const auto liked = ranked (FeedbackEvent::Kind::like, 0.0);
    const auto skipped = ranked (FeedbackEvent::Kind::skip, 10.0);
    CAPTURE (neutral, liked, skipped);
    // 25 of 100 tracks: the mean rank is 12 if the family comes first, 87 if last.
    CHECK (liked < neutral - 10.0);
    CHECK (skipped > neutral + 10.0);
}

TEST_CASE ("The profile weighs skips by how early they came and halves every 30 days", "[recommend]")
{
    const Profile::Settings settings;
    CHECK (Profile::weightOf (event (1, FeedbackEvent::Kind::like, 0), 240.0, settings) == 1.0f);
    CHECK (Profile::weightOf (event (1, FeedbackEvent::Kind::playedToEnd, 0), 240.0, settings) == Approx (0.3f));
    CHECK (Profile::weightOf (event (1, FeedbackEvent::Kind::played, 0), 240.0, settings) == 0.0f);
    CHECK (Profile::weightOf (event (1, FeedbackEvent::Kind::skip, 0, 60.0), 240.0, settings) == Approx (-0.75f));
    CHECK (Profile::weightOf (event (1, FeedbackEvent::Kind::skip, 0, 24.0), 0.0, settings) == Approx (-0.9f));
    CHECK (Profile::weightOf (event (1, FeedbackEvent::Kind::skip, 0, 500.0), 240.0, settings) == 0.0f);

    Profile profile (2);
    const float liked[] = { 1.0f, 0.0f }, skipped[] = { -1.0f, 0.0f };
    profile.add (event (7, FeedbackEvent::Kind::like, now), 240.0, liked);
    profile.add (event (7, FeedbackEvent::Kind::like, now - 30 * day), 240.0, liked);
    profile.add (event (8, FeedbackEvent::Kind::skip, now - 60 * day, 0.0), 240.0, skipped);
    CHECK (profile.pullMass (now) == Approx (1.5f));
    CHECK (profile.pushMass (now) == Approx (0.25f));
    CHECK (profile.trackWeight (7, now + 30 * day) == Approx (0.75f));
    CHECK (profile.trackWeight (8, now) == Approx (-0.25f));
    CHECK (profile.pullCentroid() == std::vector<float> { 1.0f, 0.0f });

    const Embedding space;
    CHECK (profile.affinity (liked, space, now) > 0.0f);
    CHECK (profile.affinity (liked, space, now) > profile.affinity (skipped, space, now));
}

TEST_CASE ("Tracks played in the last 2 hours and the query itself are left out", "[recommend]")
{
    const auto tracks = test::familyCatalog (test::fourFamilies(), perFamily);
    const std::vector<FeedbackEvent> history { event (2, FeedbackEvent::Kind::played, now - hour),
                                               event (3, FeedbackEvent::Kind::skip, now - hour / 2, 30.0),
                                               event (4, FeedbackEvent::Kind::playedToEnd, now - 3 * hour, 240.0),
                                               event (5, FeedbackEvent::Kind::like, now - hour) };
    Recommender recommender;
    recommender.build (tracks, history);

    auto ids = [&] (int64_t at)
    {
        std::vector<int64_t> list;
        for (const auto& r : recommender.recommend (1, tracks.size(), at))
            list.push_back (r.trackId);
        return list;
    };
    auto has = [] (const std::vector<int64_t>& list, int64_t id)
    { return std::find (list.begin(), list.end(), id) != list.end(); };

    const auto found = ids (now);
    CHECK (found.size() == tracks.size() - 3);
    CHECK_FALSE (has (found, 1));
    CHECK_FALSE (has (found, 2));
    CHECK_FALSE (has (found, 3));
    CHECK (has (found, 4)); // 3 hours ago
    CHECK (has (found, 5)); // liked, not played
    CHECK (has (ids (now + 2 * hour), 2));

    recommender.recordFeedback (event (4, FeedbackEvent::Kind::played, now - 1));
    CHECK_FALSE (has (ids (now), 4));
}

TEST_CASE ("Near-duplicates do not crowd the top 10", "[recommend]")
{
    auto tracks = test::familyCatalog (test::fourFamilies(), perFamily);
    for (int copy = 0; copy < 6; ++copy)
    {
        auto duplicate = tracks[0];
        duplicate.id = 1000 + copy;
        duplicate.summary.integratedLufs += 0.05f * static_cast<float> (copy + 1);
        duplicate.features = duplicate.summary.toVector();
        tracks.push_back (duplicate);
    }
    auto isCopy = [] (int64_t id) { return id == 1 || id >= 1000; };

    auto top10 = [&] (Recommender::Settings settings)
    {
        Recommender recommender (settings);
        recommender.build (tracks, {});
        return recommender.recommend (tracks[0].summary, 10, now);
    };

    Recommender::Settings undiversified;
    undiversified.mmrLambda = 1.0f;
    undiversified.nearDuplicateSimilarity = 2.0f;
    const auto plain = top10 (undiversified);
    CHECK (std::count_if (plain.begin(), plain.end(), [&] (auto& r) { return isCopy (r.trackId); }) == 7);

    const auto diverse = top10 ({});
    REQUIRE (diverse.size() == 10);
    CHECK (std::count_if (diverse.begin(), diverse.end(), [&] (auto& r) { return isCopy (r.trackId); }) == 1);
    Recommender recommender;
    recommender.build (tracks, {});
    const auto& space = recommender.embedding();
    for (size_t i = 0; i < diverse.size(); ++i)
        for (size_t j = i + 1; j < diverse.size(); ++j)
        {
            const auto a = space.embed (recommender.findTrack (diverse[i].trackId)->features);
            const auto b = space.embed (recommender.findTrack (diverse[j].trackId)->features);
            CHECK (space.similarity (a.data(), b.data()) < 0.97f);
        }
}

TEST_CASE ("The approximate index is kept in a file and brought up to date incrementally", "[recommend]")
{
    const auto dir = juce::File::createTempFile ("index");
    REQUIRE (dir.createDirectory());
    const auto path = dir.getChildFile ("catalog.db.hnsw").getFullPathName().toStdString();
    auto tracks = test::familyCatalog (test::fourFamilies(), perFamily);
    auto ids = [] (const std::vector<Recommendation>& list)
    {
        std::vector<int64_t> out;
        for (const auto& r : list)
            out.push_back (r.trackId);
        return out;
    };

    Recommender first (exactOrApproximate (true));
    const auto built = first.build (tracks, {}, path);
    CHECK (built.approximate);
    CHECK_FALSE (built.loadedIndex);
    CHECK (built.savedIndex);
    CHECK (built.added == tracks.size());

    Recommender second (exactOrApproximate (true));
    const auto reloaded = second.build (tracks, {}, path);
    CHECK (reloaded.loadedIndex);
    CHECK (reloaded.added == 0);
    CHECK_FALSE (reloaded.savedIndex);
    for (int64_t id : { 1, 30, 60, 90 })
        CHECK (ids (first.recommend (id, 10, now)) == ids (second.recommend (id, 10, now)));

    // One track gone, one re-analysed: only those two are touched.
    tracks.erase (tracks.begin() + 10);
    tracks[20].summary.tempoBpm += 3.0f;
    tracks[20].features = tracks[20].summary.toVector();
    Recommender third (exactOrApproximate (true));
    const auto updated = third.build (tracks, {}, path);
    CHECK (updated.loadedIndex);
    CHECK (updated.removed == 1);
    CHECK (updated.added == 1);
    CHECK (updated.savedIndex);
    CHECK (third.recommend (12, 99, now).size() == tracks.size() - 1);

    // A damaged manifest: the index is rebuilt, not trusted.
    dir.getChildFile ("catalog.db.hnsw.manifest").replaceWithText ("garbage");
    Recommender fourth (exactOrApproximate (true));
    const auto rebuilt = fourth.build (tracks, {}, path);
    CHECK_FALSE (rebuilt.loadedIndex);
    CHECK (rebuilt.savedIndex);
    CHECK (ids (fourth.recommend (1, 5, now)).size() == 5);
    dir.deleteRecursively();
}
