#include "Recommend/Embedding.h"
#include "Recommend/TrackFamilies.h"

#include <catch2/catch.hpp>

#include <cmath>

using namespace earshot;

namespace
{
constexpr auto rhythm = static_cast<size_t> (FeatureGroup::rhythm);
constexpr auto harmony = static_cast<size_t> (FeatureGroup::harmony);
constexpr auto timbre = static_cast<size_t> (FeatureGroup::timbre);

TrackSummary withKey (int tonic, bool minor)
{
    std::mt19937 random (1);
    auto s = test::randomSummary (random);
    s.keyTonic = tonic;
    s.keyIsMinor = minor;
    return s;
}

TrackSummary withTempo (float bpm)
{
    std::mt19937 random (1);
    auto s = test::randomSummary (random);
    s.tempoBpm = bpm;
    return s;
}

Embedding::GroupSimilarities groupsOf (const TrackSummary& a, const TrackSummary& b)
{
    const Embedding embedding;
    const auto x = embedding.embed (a), y = embedding.embed (b);
    return embedding.groupSimilarities (x.data(), y.data());
}

EmbeddingStatistics statisticsOf (const std::vector<std::vector<float>>& features)
{
    std::vector<const std::vector<float>*> pointers;
    for (const auto& f : features)
        pointers.push_back (&f);
    return Embedding::measure (pointers);
}

/** The feature vectors of `count` random summaries. */
std::vector<std::vector<float>> randomCatalog (std::mt19937& random, int count)
{
    std::vector<std::vector<float>> features;
    for (int i = 0; i < count; ++i)
        features.push_back (test::randomSummary (random).toVector());
    return features;
}

float distance (const TrackSummary& a, const TrackSummary& b)
{
    const Embedding embedding;
    return Embedding::distanceSquared (embedding.embed (a).data(), embedding.embed (b).data());
}
} // namespace

TEST_CASE ("Keys on the circle of fifths: relative and fifth-related keys are close, a tritone far", "[recommend]")
{
    // Harmony similarity exp (-d^2 / 2 w^2) with the key circle weighted 2 and mode 0.7
    // (norm sqrt (4.49)): relative keys differ by the mode only, exp (-0.49 / 8.98);
    // a fifth by a 30-degree chord, exp (-(2 sin 15)^2 * 4 / 8.98); a tritone by the diameter.
    const auto aMinor = withKey (9, true);
    CHECK (groupsOf (aMinor, aMinor)[harmony] == Approx (1.0f));
    CHECK (groupsOf (aMinor, withKey (0, false))[harmony] == Approx (0.94690).margin (1e-4)); // C major
    CHECK (groupsOf (aMinor, withKey (4, true))[harmony] == Approx (0.88749).margin (1e-4));  // E minor
    CHECK (groupsOf (aMinor, withKey (2, true))[harmony] == Approx (0.88749).margin (1e-4));  // D minor
    CHECK (groupsOf (withKey (0, false), withKey (7, false))[harmony] == Approx (0.88749).margin (1e-4));
    CHECK (groupsOf (aMinor, withKey (3, true))[harmony] == Approx (0.16835).margin (1e-4)); // D# minor

    CHECK (distance (aMinor, withKey (0, false)) < distance (aMinor, withKey (3, true)));
    CHECK (distance (aMinor, withKey (4, true)) < distance (aMinor, withKey (3, true)));
    // Nothing else differs: other groups are identical.
    CHECK (groupsOf (aMinor, withKey (3, true))[timbre] == Approx (1.0f));
}

TEST_CASE ("Tempo folded to one octave: half and double tempo are close, 120 vs 90 BPM far", "[recommend]")
{
    // Rhythm similarity with tempo weighted 2 of norm sqrt (5.74):
    // exp (-(2 sin (pi * octaves))^2 * 4 / 11.48).
    CHECK (groupsOf (withTempo (120.0f), withTempo (60.0f))[rhythm] == Approx (1.0f).margin (1e-5));
    CHECK (groupsOf (withTempo (120.0f), withTempo (240.0f))[rhythm] == Approx (1.0f).margin (1e-5));
    CHECK (groupsOf (withTempo (120.0f), withTempo (124.0f))[rhythm] == Approx (0.96991).margin (1e-4));
    CHECK (groupsOf (withTempo (120.0f), withTempo (90.0f))[rhythm] == Approx (0.27341).margin (1e-4));
    CHECK (distance (withTempo (120.0f), withTempo (60.0f)) < distance (withTempo (120.0f), withTempo (124.0f)));
    CHECK (distance (withTempo (120.0f), withTempo (124.0f)) < distance (withTempo (120.0f), withTempo (90.0f)));
}

TEST_CASE ("Features are standardised with the catalog's statistics", "[recommend]")
{
    std::mt19937 random (2);
    std::vector<std::vector<float>> features;
    for (auto lufs : { -10.0f, -12.0f, -14.0f })
    {
        auto s = test::randomSummary (random);
        s.integratedLufs = lufs;
        features.push_back (s.toVector());
    }
    const auto stats = statisticsOf (features);
    const auto& names = Embedding::scalarNames();
    const auto lufs = static_cast<size_t> (std::find (names.begin(), names.end(), "integratedLufs") - names.begin());
    REQUIRE (lufs < names.size());
    CHECK (stats.trackCount == 3);
    CHECK (stats.mean[lufs] == Approx (-12.0f));
    CHECK (stats.deviation[lufs] == Approx (std::sqrt (8.0f / 3.0f)));

    // The loudness group differs by LUFS alone: z = 4 / 1.633 = 2.449 against z clamped
    // to -4 for a silent track at -100 (-54 z unclamped).
    const Embedding embedding (stats);
    auto quiet = features[0], silent = features[0];
    quiet[0] = -14.0f;
    silent[0] = -100.0f;
    const auto loud = embedding.embed (features[0]);
    const auto d1 = Embedding::distanceSquared (loud.data(), embedding.embed (quiet).data());
    const auto d2 = Embedding::distanceSquared (loud.data(), embedding.embed (silent).data());
    const auto zLoud = 2.0f / std::sqrt (8.0f / 3.0f);
    CHECK (d2 / d1 == Approx ((4.0f + zLoud) * (4.0f + zLoud) / (2.0f * zLoud * 2.0f * zLoud)).epsilon (1e-4));
}

TEST_CASE ("Embedding statistics survive text bit for bit, and other text is refused", "[recommend]")
{
    std::mt19937 random (3);
    const auto stats = statisticsOf (randomCatalog (random, 20));

    const auto parsed = EmbeddingStatistics::parse (stats.serialise());
    REQUIRE (parsed.has_value());
    CHECK (*parsed == stats);
    CHECK_FALSE (EmbeddingStatistics::parse ("").has_value());
    CHECK_FALSE (EmbeddingStatistics::parse ("earshot-embedding-statistics 1 20 3 0 1 0 1 0 1").has_value());
    CHECK_FALSE (EmbeddingStatistics::parse (stats.serialise().substr (0, 60)).has_value());
}

TEST_CASE ("Explanations name the closest groups and the farthest in words and numbers", "[recommend]")
{
    std::mt19937 random (4);
    auto query = test::randomSummary (random);
    query.tempoBpm = 122.0f;
    query.keyTonic = 9;
    query.keyIsMinor = true;
    query.integratedLufs = -8.0f;
    auto track = query;
    track.tempoBpm = 124.0f;
    track.integratedLufs = -14.0f;

    // Standardised on a catalog whose loudness deviates by about 3 LU.
    const Embedding embedding (statisticsOf (randomCatalog (random, 100)));
    const auto a = embedding.embed (query), b = embedding.embed (track);
    const auto groups = embedding.groupSimilarities (a.data(), b.data());
    const auto text = Embedding::explain (query.toVector(), track.toVector(), groups);
    CAPTURE (text);
    // Ties keep the group order (timbre, rhythm, harmony, loudness).
    CHECK (text.rfind ("timbre similarity 1.00, same key A minor, tempo 122 vs 124 BPM", 0) == 0);
    CHECK (text.find ("; least alike: loudness -8.0 vs -14.0 LUFS (0.") != std::string::npos);

    auto relative = track;
    relative.keyTonic = 0;
    relative.keyIsMinor = false;
    relative.tempoBpm = 61.0f;
    const auto c = embedding.embed (relative);
    const auto relativeText =
        Embedding::explain (query.toVector(), relative.toVector(), embedding.groupSimilarities (a.data(), c.data()));
    CAPTURE (relativeText);
    CHECK (relativeText.find ("relative keys A minor and C major") != std::string::npos);
    CHECK (relativeText.find ("tempo 122 vs 61 BPM (half time)") != std::string::npos);

    auto fifth = track;
    fifth.keyTonic = 4;
    const auto d = embedding.embed (fifth);
    CHECK (Embedding::explain (query.toVector(), fifth.toVector(), embedding.groupSimilarities (a.data(), d.data()))
               .find ("fifth-related keys A minor and E minor") != std::string::npos);
}
