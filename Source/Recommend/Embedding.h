#pragma once

#include "Features/TrackSummary.h"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace earshot
{

/** The feature groups a similarity is made of, and explained by. */
enum class FeatureGroup
{
    timbre,
    rhythm,
    harmony,
    loudness
};

/** Mean and standard deviation, over a catalog, of each feature the embedding
    standardises (see Embedding::scalarNames()). Plain data; persisted beside the
    approximate index so an index keeps meaning what it meant when it was built. */
struct EmbeddingStatistics
{
    std::vector<float> mean, deviation;
    /** How many tracks they were measured over. */
    int64_t trackCount = 0;

    /** One line of text, floats written exactly (round trip is bit-identical). */
    std::string serialise() const;
    /** Nothing if `text` is not what serialise() writes for this build's scalars. */
    static std::optional<EmbeddingStatistics> parse (const std::string& text);

    bool operator== (const EmbeddingStatistics& other) const;
};

/** Turns a track's summary into a point where Euclidean distance means "sounds alike".

    Design:
    - Every scalar feature (MFCC means and deviations, spectral shape, onset rate,
      loudness...) is standardised with the catalog's mean and deviation, so no unit
      (Hz against LU) dominates; z is clamped to +-4 so an outlier (a silent track's
      -100 dB) cannot swamp the rest.
    - Tempo is log2(bpm) folded to one octave and placed on a circle (cos, sin):
      120, 60 and 240 BPM are the same point, 120 vs 124 BPM is a short chord and
      120 vs 85 BPM (half an octave) is the diameter. No tempo -> the centre.
    - Key is placed on the circle of fifths with a relative major and minor sharing
      a position (C major = A minor), plus a small mode coordinate: the same key is 0
      apart, relative keys only the mode apart, fifth-related keys 30 degrees apart,
      a tritone the diameter. No key -> the centre.
    - Features are grouped (timbre, rhythm, harmony, loudness/dynamics). Within a group
      each feature has a relative importance; the group is scaled so that two random
      tracks differ in it by about 2 * weight^2 (squared distance), whatever its number
      of dimensions: the group weights, not the feature counts, set the balance.

    Similarity = exp(-d^2 / (2 * sum of weight^2)) overall, exp(-d^2 / (2 * weight^2))
    per group: 1 for identical, about 0.37 for two random tracks.

    Thread: immutable after construction; any thread may use a const Embedding.
*/
class Embedding final
{
public:
    static constexpr size_t numGroups = 4;
    using GroupWeights = std::array<float, numGroups>;
    using GroupSimilarities = std::array<float, numGroups>;

    /** timbre 1.0, rhythm 0.9, harmony 0.7, loudness/dynamics 0.5: what a track sounds
        like first, then its groove and key; level is the most production-dependent. */
    static GroupWeights defaultWeights() { return { 1.0f, 0.9f, 0.7f, 0.5f }; }

    /** With statistics that leave features unscaled (mean 0, deviation 1). */
    Embedding();
    explicit Embedding (EmbeddingStatistics statistics, GroupWeights weights = defaultWeights());

    /** Mean and deviation of every standardised feature over `features` (each in
        TrackSummary::vectorNames() order); non-finite values are left out. Any thread. */
    static EmbeddingStatistics measure (const std::vector<const std::vector<float>*>& features);

    /** The number of dimensions of every embedding. */
    static size_t dimension();
    /** The features that are standardised, in EmbeddingStatistics order. */
    static const std::vector<std::string>& scalarNames();

    /** Embeds a feature vector in TrackSummary::vectorNames() order (as stored in a
        TrackRecord); `out` gets dimension() values. Any thread. */
    void embed (const std::vector<float>& features, float* out) const;
    std::vector<float> embed (const std::vector<float>& features) const;
    std::vector<float> embed (const TrackSummary& summary) const { return embed (summary.toVector()); }

    /** Squared Euclidean distance of two embeddings (what the indexes rank by). */
    static float distanceSquared (const float* a, const float* b);

    /** 0..1 similarity of two embeddings, overall and per group. Any thread. */
    float similarity (const float* a, const float* b) const;
    float similarityOfDistance (float distanceSquared) const;
    GroupSimilarities groupSimilarities (const float* a, const float* b) const;

    /** Why two tracks are alike, in words and numbers: the groups from closest to
        farthest, e.g. "tempo 122 vs 124 BPM, same key A minor, timbre similarity 0.91;
        least alike: loudness -8.1 vs -14.0 LUFS (0.42)". `queryFeatures` and
        `trackFeatures` are vectorNames()-ordered feature vectors. Any thread. */
    static std::string explain (const std::vector<float>& queryFeatures, const std::vector<float>& trackFeatures,
                                const GroupSimilarities& similarities);

    /** "timbre", "rhythm", "harmony", "loudness". */
    static const char* groupName (FeatureGroup group);

    const EmbeddingStatistics& statistics() const { return stats; }
    const GroupWeights& weights() const { return groupWeights; }

private:
    EmbeddingStatistics stats;
    GroupWeights groupWeights;
    /** What each embedding dimension is multiplied by (group weight x importance). */
    std::vector<float> scales;
};

} // namespace earshot
