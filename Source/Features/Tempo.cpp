#include "Features/Tempo.h"

#include "Features/Onsets.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace earshot
{
namespace
{
constexpr double updateSeconds = 0.5;
constexpr double centringSeconds = 2.0; // local mean removed before autocorrelation
constexpr double preferredBpm = 120.0;
constexpr double preferenceOctaves = 1.0; // std. deviation of the log-Gaussian prior
// Shorter sub-lags fall within the width of one onset's own ODF peak.
constexpr double fastestSubdivisionBpm = 480.0;
constexpr double subdivisionPenalty = 0.8;   // how much an evenly subdivided lag loses
constexpr double subdivisionSharpness = 4.0; // weak subdivisions (ratio^4 ~ 0) cost little
constexpr float minMeanOdf = 1.0e-3f;        // below this the ODF is numerical noise
constexpr double beatTightness = 100.0;      // Ellis' alpha: cost of an off-period beat
constexpr float odfNoiseFloor = 0.01f;       // ODF of steady sounds' frame-to-frame wobble

struct Period
{
    double frames = 0.0;
    float confidence = 0.0f;
};

double lagOf (double bpm, double frameRate)
{
    return 60.0 * frameRate / bpm;
}

/** Prepares `odf` for autocorrelation: smoothed by [1 2 1] / 4 (so beats that fall
    between frames still line up), minus its mean over centringSeconds around each
    frame and half-wave rectified (slow level changes and the dips between onsets
    would otherwise dominate), then centred on zero. */
void centre (const float* odf, int n, double frameRate, std::vector<float>& smoothed, std::vector<float>& out)
{
    smoothed.resize (static_cast<size_t> (n));
    out.resize (static_cast<size_t> (n));
    for (int i = 0; i < n; ++i)
    {
        const auto before = odf[std::max (0, i - 1)], after = odf[std::min (n - 1, i + 1)];
        smoothed[static_cast<size_t> (i)] = 0.25f * before + 0.5f * odf[i] + 0.25f * after;
    }

    const auto half = std::max (1, static_cast<int> (centringSeconds * frameRate / 2.0));
    double sum = 0.0, total = 0.0;
    int lo = 0, hi = 0; // the running sum covers smoothed[lo, hi)
    for (int i = 0; i < n; ++i)
    {
        while (hi < std::min (n, i + half + 1))
            sum += smoothed[static_cast<size_t> (hi++)];
        while (lo < i - half)
            sum -= smoothed[static_cast<size_t> (lo++)];
        out[static_cast<size_t> (i)] =
            std::max (0.0f, smoothed[static_cast<size_t> (i)] - static_cast<float> (sum / (hi - lo)));
        total += out[static_cast<size_t> (i)];
    }
    const auto mean = static_cast<float> (total / n);
    for (auto& value : out)
        value -= mean;
}

/** Sum of a[i] * b[i]: eight float partial sums, which the compiler vectorises
    (it may not reorder one sum), added up in double. */
double dot (const float* a, const float* b, int n) noexcept
{
    constexpr int lanes = 8;
    float partial[lanes] {};
    int i = 0;
    for (; i + lanes <= n; i += lanes)
        for (int j = 0; j < lanes; ++j)
            partial[j] += a[i + j] * b[i + j];
    double sum = 0.0;
    for (; i < n; ++i)
        sum += static_cast<double> (a[i]) * b[i];
    for (const auto p : partial)
        sum += p;
    return sum;
}

/** The height of the autocorrelation peak nearest `lag`: the largest of the three
    lags around it, raised to the top of a parabola through its neighbours (a beat
    period between two lags splits its peak between them). */
double peakNear (const std::vector<double>& r, double lag)
{
    auto k = std::clamp (static_cast<size_t> (std::lround (lag)), size_t { 1 }, r.size() - 2);
    if (r[k - 1] > r[k] && k > 1)
        --k;
    else if (r[k + 1] > r[k] && k + 2 < r.size())
        ++k;
    const auto left = r[k - 1], centre = r[k], right = r[k + 1];
    const auto curvature = left - 2.0 * centre + right;
    return curvature < 0.0 ? centre - (left - right) * (left - right) / (8.0 * curvature) : centre;
}

Period estimatePeriod (const float* odf, int n, double frameRate, std::vector<float>& smoothed,
                       std::vector<float>& centred, std::vector<double>& r)
{
    const auto shortestLag = lagOf (Tempo::maxBpm, frameRate);
    const auto longestLag = lagOf (Tempo::minBpm, frameRate);
    const auto numLags = static_cast<int> (std::ceil (longestLag)) + 2;
    if (n < 3 * numLags)
        return {};

    double mean = 0.0;
    for (int i = 0; i < n; ++i)
        mean += odf[i];
    if (mean / n < minMeanOdf)
        return {};

    centre (odf, n, frameRate, smoothed, centred);
    // Unbiased (divided by the overlap) so that long lags are not disfavoured.
    r.assign (static_cast<size_t> (numLags), 0.0);
    for (int lag = 0; lag < numLags; ++lag)
        r[static_cast<size_t> (lag)] = dot (centred.data() + lag, centred.data(), n - lag) / (n - lag);
    if (r[0] <= 0.0)
        return {};

    const auto minSubdivisionLag = lagOf (fastestSubdivisionBpm, frameRate);
    auto bestScore = 0.0;
    int bestLag = 0;
    for (auto lag = static_cast<int> (std::ceil (shortestLag)); lag <= static_cast<int> (longestLag); ++lag)
    {
        const auto repeat = r[static_cast<size_t> (lag)];
        if (repeat <= 0.0)
            continue;
        // How strongly the ODF already repeats at a half or a third of this lag.
        const auto peak = peakNear (r, lag);
        double subdivided = 0.0;
        for (const auto divisor : { 2.0, 3.0 })
            if (lag / divisor >= minSubdivisionLag)
                subdivided = std::max (subdivided, peakNear (r, lag / divisor) / peak);
        subdivided = std::clamp (subdivided, 0.0, 1.0);

        const auto octaves = std::log2 (60.0 * frameRate / lag / preferredBpm) / preferenceOctaves;
        const auto score = repeat * std::exp (-0.5 * octaves * octaves) *
                           (1.0 - subdivisionPenalty * std::pow (subdivided, subdivisionSharpness));
        if (score > bestScore)
        {
            bestScore = score;
            bestLag = lag;
        }
    }
    if (bestLag == 0)
        return {};

    // Climb to the autocorrelation peak, then place it between lags by a parabola.
    const auto at = [&r] (int lag) { return r[static_cast<size_t> (lag)]; };
    while (bestLag + 1 < numLags - 1 && at (bestLag + 1) > at (bestLag))
        ++bestLag;
    while (bestLag - 1 > 1 && at (bestLag - 1) > at (bestLag))
        --bestLag;
    const auto left = at (bestLag - 1), centreValue = at (bestLag), right = at (bestLag + 1);
    const auto curvature = left - 2.0 * centreValue + right;
    const auto shift = curvature < 0.0 ? std::clamp (0.5 * (left - right) / curvature, -0.5, 0.5) : 0.0;

    Period period;
    period.frames = std::clamp (bestLag + shift, shortestLag, longestLag);
    period.confidence = static_cast<float> (std::clamp (centreValue / r[0], 0.0, 1.0));
    return period;
}

/** Ellis (2007): the beat sequence maximising the ODF at the beats minus a cost for
    intervals that stray from `period`, by dynamic programming. Returns frames. */
std::vector<int> trackBeats (const float* odf, int n, double period)
{
    // Ellis' local score: the ODF in units of its standard deviation.
    double mean = 0.0, meanSquare = 0.0;
    for (int i = 0; i < n; ++i)
    {
        mean += odf[i];
        meanSquare += static_cast<double> (odf[i]) * odf[i];
    }
    mean /= n;
    meanSquare /= n;
    const auto deviation = std::sqrt (std::max (1.0e-12, meanSquare - mean * mean));

    const auto shortest = std::max (1, static_cast<int> (std::lround (period / 2.0)));
    const auto longest = static_cast<int> (std::lround (period * 2.0));
    std::vector<double> cost (static_cast<size_t> (longest + 1), 0.0);
    for (int d = shortest; d <= longest; ++d)
        cost[static_cast<size_t> (d)] = beatTightness * std::pow (std::log (d / period), 2.0);

    std::vector<double> cumulative (static_cast<size_t> (n));
    std::vector<int> previous (static_cast<size_t> (n), -1);
    for (int t = 0; t < n; ++t)
    {
        auto best = -std::numeric_limits<double>::infinity();
        for (int d = shortest; d <= std::min (longest, t); ++d)
        {
            const auto candidate = cumulative[static_cast<size_t> (t - d)] - cost[static_cast<size_t> (d)];
            if (candidate > best)
            {
                best = candidate;
                previous[static_cast<size_t> (t)] = t - d;
            }
        }
        cumulative[static_cast<size_t> (t)] =
            odf[t] / deviation + (previous[static_cast<size_t> (t)] >= 0 ? best : 0.0);
    }

    // The last beat is the best-scoring frame within the final period.
    auto last = n - 1;
    for (auto t = std::max (0, n - static_cast<int> (std::ceil (period))); t < n; ++t)
        if (cumulative[static_cast<size_t> (t)] > cumulative[static_cast<size_t> (last)])
            last = t;

    std::vector<int> beats;
    for (auto t = last; t >= 0; t = previous[static_cast<size_t> (t)])
        beats.push_back (t);
    std::reverse (beats.begin(), beats.end());

    // Drop the beats the DP strung through silence before the music starts or after
    // it ends: those without an onset near them (the peak may be a frame or two off).
    const auto strengthAt = [&] (int beat)
    { return *std::max_element (odf + std::max (0, beat - 2), odf + std::min (n, beat + 3)); };
    double squares = 0.0;
    for (const auto b : beats)
        squares += static_cast<double> (strengthAt (b)) * strengthAt (b);
    const auto threshold = 0.5 * std::sqrt (squares / static_cast<double> (std::max<size_t> (1, beats.size())));
    const auto isWeak = [&] (int beat) { return strengthAt (beat) < threshold; };
    while (! beats.empty() && isWeak (beats.back()))
        beats.pop_back();
    beats.erase (beats.begin(), std::find_if_not (beats.begin(), beats.end(), isWeak));
    return beats;
}
} // namespace

void Tempo::prepare (double newFrameRate)
{
    frameRate = newFrameRate;
    windowFrames = static_cast<int> (std::lround (windowSeconds * frameRate));
    updateFrames = std::max (1, static_cast<int> (std::lround (updateSeconds * frameRate)));
    historyFrames = historySeconds > 0.0 ? std::max (static_cast<size_t> (windowFrames),
                                                     static_cast<size_t> (std::lround (historySeconds * frameRate)))
                                         : 0;
    framesAdded = framesForgotten = 0;
    odf.clear();
    odf.reserve (historyFrames > 0 ? 2 * historyFrames : static_cast<size_t> (windowFrames) * 6);
    latest = {};
    smoothedScratch.reserve (static_cast<size_t> (windowFrames));
    centredScratch.reserve (static_cast<size_t> (windowFrames));
    autocorrelation.reserve (static_cast<size_t> (lagOf (minBpm, frameRate)) + 3);
}

void Tempo::addOdf (float value)
{
    if (historyFrames > 0 && odf.size() == 2 * historyFrames)
    {
        // Forget the older half at once: amortised O(1), and the capacity reserved in
        // prepare() is never exceeded.
        odf.erase (odf.begin(), odf.begin() + static_cast<std::ptrdiff_t> (historyFrames));
        framesForgotten += static_cast<int64_t> (historyFrames);
    }
    odf.push_back (std::max (0.0f, value - odfNoiseFloor));
    ++framesAdded;
    if (framesAdded % updateFrames != 0)
        return;

    const auto size = static_cast<int> (odf.size());
    const auto n = std::min (size, windowFrames);
    const auto period =
        estimatePeriod (odf.data() + (size - n), n, frameRate, smoothedScratch, centredScratch, autocorrelation);
    latest.bpm = period.frames > 0.0 ? static_cast<float> (60.0 * frameRate / period.frames) : 0.0f;
    latest.confidence = period.confidence;
}

TempoEstimate Tempo::current() const
{
    return latest;
}

TempoEstimate Tempo::whole() const
{
    const auto skip = historyFrames > 0 && odf.size() > historyFrames ? odf.size() - historyFrames : size_t { 0 };
    const auto* history = odf.data() + skip;
    const auto first = framesForgotten + static_cast<int64_t> (skip); // the stream frame of history[0]
    const auto n = static_cast<int> (odf.size() - skip);
    std::vector<float> smoothed, centred;
    std::vector<double> r;
    const auto period = estimatePeriod (history, n, frameRate, smoothed, centred, r);
    if (period.frames <= 0.0)
        return {};

    TempoEstimate estimate;
    estimate.bpm = static_cast<float> (60.0 * frameRate / period.frames);
    estimate.confidence = period.confidence;
    for (const auto beat : trackBeats (history, n, period.frames))
        estimate.beatTimes.push_back (Onsets::timeOfFrame (static_cast<double> (first + beat), frameRate));
    return estimate;
}

} // namespace earshot
