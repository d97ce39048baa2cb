#pragma once

#include "Recommend/Embedding.h"
#include "Recommend/TrackRecord.h"

#include <unordered_map>
#include <vector>

namespace earshot
{

/** What the listener's feedback says they like, for re-ranking recommendations.

    Every event has a signed weight: a like +1, played to the end +0.3 (a mild pull:
    finishing a track is weaker evidence than asking for more of it), a skip
    -(1 - fraction of the track heard) (a skip after 5 s of 4 minutes is -0.98, one
    near the end almost nothing), a plain play 0 (it only counts as recently played).
    Weights decay by age with a half-life of 30 days: last month's taste counts half.

    From them the profile keeps, in embedding space, the weighted centroid of what
    pulls (positive weights) and of what pushes (negative), with their decayed masses,
    and per track the decayed sum of its own weights. Decay is exact and order-free:
    contributions are stored scaled to a reference time and the one factor for `now`
    is applied when asked.

    Thread: one thread writes (add); const methods may run on several threads when
    nothing writes.
*/
class Profile final
{
public:
    struct Settings
    {
        double halfLifeDays = 30.0;
        float like = 1.0f, playedToEnd = 0.3f, skip = 1.0f;
    };

    explicit Profile (size_t dimension);
    Profile (size_t dimension, Settings settings);

    /** The signed weight of `event` before decay. `trackSeconds` is the track's length
        (0 if unknown: then a skip counts as heard out of 4 minutes). Any thread. */
    static float weightOf (const FeedbackEvent& event, double trackSeconds, const Settings& settings);

    /** Adds one event, in any order of time. `embedding` is the track's embedding, or
        nullptr if the track is not in the catalog (then only its own weight is kept).
        Thread: the writer, with nothing reading. */
    void add (const FeedbackEvent& event, double trackSeconds, const float* embedding);

    /** How much the profile draws toward `embedding` at `nowMillis`: the similarity to
        the pull centroid minus that to the push centroid, each scaled by the confidence
        m / (m + 1) of its decayed mass m. -1..1; 0 without feedback. Thread: any, while nothing writes. */
    float affinity (const float* embedding, const Embedding& space, int64_t nowMillis) const;

    /** The decayed sum of the track's own weights at `nowMillis` (0 if none). Thread: any, while nothing writes. */
    float trackWeight (int64_t trackId, int64_t nowMillis) const;

    /** The decayed masses of pulling and pushing feedback at `nowMillis`. Thread: any, while nothing writes. */
    float pullMass (int64_t nowMillis) const;
    float pushMass (int64_t nowMillis) const;

    /** The centroids (empty when there is no such feedback). Thread: any, while nothing writes. */
    std::vector<float> pullCentroid() const;
    std::vector<float> pushCentroid() const;

    const Settings& settings() const { return config; }

private:
    double decayTo (int64_t nowMillis) const;
    void rebase (int64_t millis);

    size_t dims;
    Settings config;
    bool empty = true;
    /** Contributions are stored multiplied by 2^((t - reference) / halfLife). */
    int64_t referenceMillis = 0, latestMillis = 0;
    double pull = 0.0, push = 0.0;
    std::vector<double> pullSum, pushSum;
    std::unordered_map<int64_t, double> perTrack;
};

} // namespace earshot
