#include "Recommend/Profile.h"

#include <algorithm>
#include <cmath>

namespace earshot
{
namespace
{
constexpr double millisPerDay = 86400000.0;
/** Beyond this many half-lives from the reference, rebase so the scale stays in range. */
constexpr double maxExponent = 60.0;
/** A skip of a track of unknown length counts as heard out of this many seconds. */
constexpr double typicalTrackSeconds = 240.0;

float confidence (double mass)
{
    return static_cast<float> (mass / (mass + 1.0));
}

std::vector<float> centroid (const std::vector<double>& sum, double mass)
{
    if (! (mass > 0.0))
        return {};
    std::vector<float> c (sum.size());
    for (size_t d = 0; d < sum.size(); ++d)
        c[d] = static_cast<float> (sum[d] / mass);
    return c;
}
} // namespace

Profile::Profile (size_t dimension)
    : Profile (dimension, Settings {})
{
}

Profile::Profile (size_t dimension, Settings settings)
    : dims (dimension)
    , config (settings)
    , pullSum (dimension, 0.0)
    , pushSum (dimension, 0.0)
{
}

float Profile::weightOf (const FeedbackEvent& event, double trackSeconds, const Settings& settings)
{
    switch (event.kind)
    {
        case FeedbackEvent::Kind::like:
            return settings.like;
        case FeedbackEvent::Kind::playedToEnd:
            return settings.playedToEnd;
        case FeedbackEvent::Kind::skip:
        {
            const auto length = trackSeconds > 0.0 ? trackSeconds : typicalTrackSeconds;
            const auto heard = std::clamp (event.positionSeconds / length, 0.0, 1.0);
            return -settings.skip * static_cast<float> (1.0 - heard);
        }
        case FeedbackEvent::Kind::played:
            break;
    }
    return 0.0f;
}

void Profile::rebase (int64_t millis)
{
    const auto factor =
        std::exp2 (-static_cast<double> (millis - referenceMillis) / (config.halfLifeDays * millisPerDay));
    pull *= factor;
    push *= factor;
    for (auto& v : pullSum)
        v *= factor;
    for (auto& v : pushSum)
        v *= factor;
    for (auto& entry : perTrack)
        entry.second *= factor;
    referenceMillis = millis;
}

void Profile::add (const FeedbackEvent& event, double trackSeconds, const float* embedding)
{
    const auto weight = static_cast<double> (weightOf (event, trackSeconds, config));
    if (weight == 0.0)
        return;
    if (empty)
        referenceMillis = latestMillis = event.timeMillis;
    empty = false;
    latestMillis = std::max (latestMillis, event.timeMillis);

    auto exponent = static_cast<double> (event.timeMillis - referenceMillis) / (config.halfLifeDays * millisPerDay);
    if (exponent > maxExponent)
    {
        rebase (event.timeMillis);
        exponent = 0.0;
    }
    const auto scaled = weight * std::exp2 (exponent);

    perTrack[event.trackId] += scaled;
    if (embedding == nullptr)
        return;
    auto& sum = scaled > 0.0 ? pullSum : pushSum;
    (scaled > 0.0 ? pull : push) += std::abs (scaled);
    for (size_t d = 0; d < dims; ++d)
        sum[d] += std::abs (scaled) * static_cast<double> (embedding[d]);
}

double Profile::decayTo (int64_t nowMillis) const
{
    // Never count an event as younger than the latest one seen: a clock behind the
    // events must not inflate them.
    const auto age = static_cast<double> (std::max (nowMillis, latestMillis) - referenceMillis);
    return std::exp2 (-age / (config.halfLifeDays * millisPerDay));
}

float Profile::affinity (const float* embedding, const Embedding& space, int64_t nowMillis) const
{
    if (empty)
        return 0.0f;
    const auto decay = decayTo (nowMillis);
    auto kernel = [&] (const std::vector<double>& sum, double mass)
    {
        double distance = 0.0;
        for (size_t d = 0; d < dims; ++d)
        {
            const auto delta = static_cast<double> (embedding[d]) - sum[d] / mass;
            distance += delta * delta;
        }
        return space.similarityOfDistance (static_cast<float> (distance));
    };
    float result = 0.0f;
    if (pull > 0.0)
        result += confidence (pull * decay) * kernel (pullSum, pull);
    if (push > 0.0)
        result -= confidence (push * decay) * kernel (pushSum, push);
    return result;
}

float Profile::trackWeight (int64_t trackId, int64_t nowMillis) const
{
    const auto found = perTrack.find (trackId);
    return found == perTrack.end() ? 0.0f : static_cast<float> (found->second * decayTo (nowMillis));
}

float Profile::pullMass (int64_t nowMillis) const
{
    return empty ? 0.0f : static_cast<float> (pull * decayTo (nowMillis));
}

float Profile::pushMass (int64_t nowMillis) const
{
    return empty ? 0.0f : static_cast<float> (push * decayTo (nowMillis));
}

std::vector<float> Profile::pullCentroid() const
{
    return centroid (pullSum, pull);
}

std::vector<float> Profile::pushCentroid() const
{
    return centroid (pushSum, push);
}

} // namespace earshot
