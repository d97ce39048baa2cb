#include "Features/Onsets.h"
#include "Features/Spectrum.h"
#include "Features/Tempo.h"
#include "Support/AllocationGuard.h"

#include <juce_core/juce_core.h>

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

using namespace earshot;

namespace
{
constexpr double sampleRate = 44100.0;

/** What the rhythm features made of a signal, framed as FeatureExtractor frames it. */
struct Rhythm
{
    double frameRate = 0.0;
    std::vector<float> odf;
    std::vector<int> onsetFrames; // the frames of the ODF peaks picked as onsets
    double onsetRate = 0.0;
    std::vector<float> currentBpm; // Tempo::current() after each frame
    Tempo tempo;
};

/** Frames the mono `signal` like FeatureExtractor: fftSize = Spectrum::fftSizeFor,
    hop = fftSize / 4, frame n = the fftSize samples ending at (n + 1) * hop, zeros
    before the start; its magnitudes go to Onsets, the ODF to Tempo. */
Rhythm analyse (const std::vector<float>& signal)
{
    const auto fftSize = Spectrum::fftSizeFor (sampleRate);
    const auto hop = fftSize / 4;
    Rhythm rhythm;
    rhythm.frameRate = sampleRate / hop;

    Spectrum spectrum;
    spectrum.prepare (fftSize);
    Onsets onsets;
    onsets.prepare (sampleRate, fftSize, rhythm.frameRate);
    rhythm.tempo.prepare (rhythm.frameRate);

    std::vector<float> padded (static_cast<size_t> (fftSize - hop), 0.0f);
    padded.insert (padded.end(), signal.begin(), signal.end());
    const auto numFrames = static_cast<int> (signal.size()) / hop;
    for (int n = 0; n < numFrames; ++n)
    {
        spectrum.analyse (padded.data() + static_cast<size_t> (n * hop));
        const auto odf = onsets.process (spectrum.magnitudes());
        rhythm.odf.push_back (odf);
        rhythm.tempo.addOdf (odf);
        rhythm.currentBpm.push_back (rhythm.tempo.current().bpm);
        if (onsets.onsetDetected())
            rhythm.onsetFrames.push_back (n - onsets.latencyFrames());
    }
    rhythm.onsetRate = onsets.onsetRate();
    return rhythm;
}

std::vector<float> silence (double seconds)
{
    return std::vector<float> (static_cast<size_t> (seconds * sampleRate), 0.0f);
}

/** Adds `length` seconds of generator (t seconds since `start`) at sample `start`. */
template <typename Generator>
void addSound (std::vector<float>& signal, double start, double length, Generator&& generator)
{
    // Faded out over the last quarter: cutting a sound off would be an onset too.
    const auto first = static_cast<size_t> (std::lround (start));
    const auto fade = length / 4.0;
    for (size_t i = 0; i < static_cast<size_t> (length * sampleRate) && first + i < signal.size(); ++i)
    {
        const auto t = static_cast<double> (i) / sampleRate;
        signal[first + i] += static_cast<float> (std::min (1.0, (length - t) / fade)) * generator (t);
    }
}

float noise (juce::Random& random)
{
    return 2.0f * random.nextFloat() - 1.0f;
}

/** A 1 ms click: white noise decaying linearly to 0. */
void addClick (std::vector<float>& signal, double start, juce::Random& random)
{
    addSound (signal, start, 0.001,
              [&] (double t) { return 0.8f * noise (random) * static_cast<float> (1.0 - t / 0.001); });
}

/** Kick (pitch falling to 50 Hz), snare (noise + 180 Hz body), hi-hat (high-passed
    noise): the levels of a plain drum mix, velocities varied by the seeded `random`. */
void addKick (std::vector<float>& signal, double start, juce::Random& random)
{
    const auto velocity = 0.85f + 0.15f * random.nextFloat();
    double phase = 0.0;
    addSound (signal, start, 0.4,
              [&] (double t)
              {
                  phase += 2.0 * M_PI * (50.0 + 100.0 * std::exp (-t / 0.03)) / sampleRate;
                  return 0.9f * velocity * static_cast<float> (std::exp (-t / 0.15) * std::sin (phase));
              });
}

void addSnare (std::vector<float>& signal, double start, juce::Random& random)
{
    const auto velocity = 0.85f + 0.15f * random.nextFloat();
    addSound (signal, start, 0.25,
              [&] (double t)
              {
                  const auto body = 0.5 * std::sin (2.0 * M_PI * 180.0 * t) * std::exp (-t / 0.05);
                  return 0.45f * velocity * static_cast<float> (noise (random) * std::exp (-t / 0.07) + body);
              });
}

void addHat (std::vector<float>& signal, double start, juce::Random& random)
{
    const auto velocity = 0.85f + 0.15f * random.nextFloat();
    float last = 0.0f;
    addSound (signal, start, 0.08,
              [&] (double t)
              {
                  const auto next = noise (random);
                  const auto highPassed = 0.5f * (next - last);
                  last = next;
                  return 0.2f * velocity * highPassed * static_cast<float> (std::exp (-t / 0.02));
              });
}

constexpr double firstBeatSeconds = 0.3;

std::vector<double> beatSamples (double bpm, double seconds)
{
    std::vector<double> beats;
    for (auto t = firstBeatSeconds; t < seconds; t += 60.0 / bpm)
        beats.push_back (t * sampleRate);
    return beats;
}

std::vector<float> clickTrack (double bpm, double seconds, int64_t seed)
{
    juce::Random random (seed);
    auto signal = silence (seconds);
    for (const auto beat : beatSamples (bpm, seconds))
        addClick (signal, beat, random);
    return signal;
}

/** Kick on every beat, snare on 2 and 4, hi-hat on every eighth. */
std::vector<float> drumPattern (double bpm, double seconds, int64_t seed)
{
    juce::Random random (seed);
    auto signal = silence (seconds);
    const auto beats = beatSamples (bpm, seconds);
    for (size_t b = 0; b < beats.size(); ++b)
    {
        addKick (signal, beats[b], random);
        if (b % 2 == 1)
            addSnare (signal, beats[b], random);
        addHat (signal, beats[b], random);
        addHat (signal, beats[b] + 30.0 / bpm * sampleRate, random);
    }
    return signal;
}

/** Seconds from `t` to the nearest of `times` (a long way if there are none). */
double nearestDistance (double t, const std::vector<double>& times)
{
    auto nearest = 1.0e9;
    for (const auto other : times)
        nearest = std::min (nearest, std::abs (other - t));
    return nearest;
}

bool within (double value, double target, double tolerance)
{
    return std::abs (value - target) <= tolerance * target;
}
} // namespace

TEST_CASE ("Clicks at known times are detected within 2 frames", "[features][rhythm]")
{
    juce::Random random (7);
    auto signal = silence (20.0);
    std::vector<double> clicks; // seconds
    for (auto t = 0.5; t < 19.5; t += 0.2 + 0.5 * random.nextDouble())
        clicks.push_back (t);
    for (const auto click : clicks)
        addClick (signal, click * sampleRate, random);

    const auto rhythm = analyse (signal);
    const auto tolerance = 2.0 / rhythm.frameRate;
    std::vector<double> onsets;
    for (const auto frame : rhythm.onsetFrames)
        onsets.push_back (Onsets::timeOfFrame (frame, rhythm.frameRate));

    INFO (clicks.size() << " clicks, " << onsets.size() << " onsets");
    CHECK (onsets.size() == clicks.size());
    for (const auto click : clicks)
    {
        INFO ("click at " << click << " s, nearest onset " << nearestDistance (click, onsets) * 1000.0 << " ms away");
        CHECK (nearestDistance (click, onsets) <= tolerance);
    }
    CHECK (rhythm.onsetRate == Approx (static_cast<double> (clicks.size()) / 20.0).epsilon (0.1));
}

TEST_CASE ("A drum pattern has one onset per eighth note", "[features][rhythm]")
{
    const auto bpm = 128.0;
    const auto rhythm = analyse (drumPattern (bpm, 20.0, 1));
    std::vector<double> eighths, onsets;
    for (const auto beat : beatSamples (bpm, 20.0))
        for (const auto offset : { 0.0, 30.0 / bpm })
            if (beat / sampleRate + offset < 20.0 - 0.05)
                eighths.push_back (beat / sampleRate + offset);
    for (const auto frame : rhythm.onsetFrames)
        onsets.push_back (Onsets::timeOfFrame (frame, rhythm.frameRate));

    const auto tolerance = 2.0 / rhythm.frameRate;
    const auto found = std::count_if (eighths.begin(), eighths.end(),
                                      [&] (double t) { return nearestDistance (t, onsets) <= tolerance; });
    CHECK (static_cast<size_t> (found) == eighths.size());
    CHECK (onsets.size() == eighths.size());
    CHECK (rhythm.onsetRate == Approx (2.0 * bpm / 60.0).epsilon (0.1));
}

TEST_CASE ("Steady white noise has few onsets and no confident tempo", "[features][rhythm]")
{
    auto signal = silence (20.0);
    juce::Random random (21);
    for (auto& sample : signal)
        sample = 0.3f * noise (random);

    const auto rhythm = analyse (signal);
    CHECK (rhythm.onsetRate < 0.5);
    CHECK (rhythm.tempo.current().confidence < 0.25f);
    CHECK (rhythm.tempo.whole().confidence < 0.25f);
}

TEST_CASE ("A steady sine has no onsets after its attack and no tempo", "[features][rhythm]")
{
    auto signal = silence (10.0);
    for (size_t i = static_cast<size_t> (sampleRate); i < signal.size(); ++i)
        signal[i] = 0.5f * static_cast<float> (std::sin (2.0 * M_PI * 440.0 * static_cast<double> (i) / sampleRate));

    const auto rhythm = analyse (signal);
    const auto attackEnd = 1.0 + 0.05; // the attack onset itself is allowed
    const auto afterAttack =
        std::count_if (rhythm.onsetFrames.begin(), rhythm.onsetFrames.end(),
                       [&] (int f) { return Onsets::timeOfFrame (f, rhythm.frameRate) > attackEnd; });
    CHECK (afterAttack == 0);
    const auto steadyStart = rhythm.odf.begin() + static_cast<std::ptrdiff_t> (1.1 * rhythm.frameRate);
    CHECK (*std::max_element (steadyStart, rhythm.odf.end()) < 0.005f);
    CHECK (rhythm.tempo.current().bpm == 0.0f);
    CHECK (rhythm.tempo.whole().bpm == 0.0f);
}

TEST_CASE ("Silence has no onsets and no tempo", "[features][rhythm]")
{
    const auto rhythm = analyse (silence (15.0));
    CHECK (rhythm.onsetFrames.empty());
    CHECK (rhythm.onsetRate == 0.0);
    CHECK (*std::max_element (rhythm.odf.begin(), rhythm.odf.end()) == 0.0f);
    for (const auto& estimate : { rhythm.tempo.current(), rhythm.tempo.whole() })
    {
        CHECK (estimate.bpm == 0.0f);
        CHECK (estimate.confidence == 0.0f);
        CHECK (estimate.beatTimes.empty());
    }
}

TEST_CASE ("Tempo of click tracks and drum patterns from 60 to 180 BPM", "[features][rhythm]")
{
    int cases = 0, exact = 0, octave = 0;
    for (int bpm = 60; bpm <= 180; bpm += 5)
    {
        for (const auto drums : { false, true })
        {
            const auto seed = static_cast<int64_t> (bpm * 2 + (drums ? 1 : 0));
            const auto signal = drums ? drumPattern (bpm, 25.0, seed) : clickTrack (bpm, 25.0, seed);
            const auto estimate = analyse (signal).tempo.whole();
            const auto isExact = within (estimate.bpm, bpm, 0.04);
            const auto isOctave =
                isExact || within (estimate.bpm, 2.0 * bpm, 0.04) || within (estimate.bpm, 0.5 * bpm, 0.04);
            ++cases;
            exact += isExact ? 1 : 0;
            octave += isOctave ? 1 : 0;
            if (! isExact)
                WARN ((drums ? "drums " : "clicks ")
                      << bpm << " BPM read " << estimate.bpm << " BPM (confidence " << estimate.confidence << ")");
        }
    }
    WARN ("tempo within 4 %: " << exact << " of " << cases << "; allowing x2 / x0.5: " << octave << " of " << cases);
    CHECK (exact >= cases * 9 / 10);
    CHECK (octave == cases);
}

TEST_CASE ("current() follows the tempo of the last 10 s", "[features][rhythm]")
{
    auto signal = drumPattern (80.0, 15.0, 11);
    const auto faster = drumPattern (120.0, 15.0, 12);
    signal.insert (signal.end(), faster.begin(), faster.end());

    const auto rhythm = analyse (signal);
    const auto frameAt = [&] (double seconds) { return static_cast<size_t> (seconds * rhythm.frameRate); };
    CHECK (within (rhythm.currentBpm[frameAt (14.5)], 80.0, 0.04));
    CHECK (within (rhythm.currentBpm.back(), 120.0, 0.04));
    CHECK (rhythm.tempo.current().bpm == rhythm.currentBpm.back());
    CHECK (rhythm.tempo.current().confidence > 0.5f);
    CHECK (rhythm.tempo.current().beatTimes.empty());
}

TEST_CASE ("Beats of a 120 BPM track fall on its beats", "[features][rhythm]")
{
    const auto drums = GENERATE (false, true);
    const auto signal = drums ? drumPattern (120.0, 30.0, 5) : clickTrack (120.0, 30.0, 5);
    const auto rhythm = analyse (signal);
    const auto beats = rhythm.tempo.whole().beatTimes;
    const auto tolerance = 2.0 / rhythm.frameRate;

    std::vector<double> clicks;
    for (const auto sample : beatSamples (120.0, 30.0))
        clicks.push_back (sample / sampleRate);

    int lateBeats = 0, aligned = 0, lateClicks = 0, found = 0;
    for (const auto beat : beats)
        if (beat >= 3.0)
        {
            ++lateBeats;
            aligned += nearestDistance (beat, clicks) <= tolerance ? 1 : 0;
        }
    for (const auto click : clicks)
        if (click >= 3.0)
        {
            ++lateClicks;
            found += nearestDistance (click, beats) <= tolerance ? 1 : 0;
        }
    INFO ((drums ? "drums: " : "clicks: ") << aligned << " of " << lateBeats << " beats after 3 s on a beat, " << found
                                           << " of " << lateClicks << " beats found");
    CHECK (aligned >= lateBeats * 9 / 10);
    CHECK (found >= lateClicks * 9 / 10);
}

TEST_CASE ("Beats stay within the music, not the silence around it", "[features][rhythm]")
{
    auto signal = silence (5.0);
    const auto music = clickTrack (100.0, 20.0, 8);
    signal.insert (signal.end(), music.begin(), music.end());
    const auto after = silence (5.0);
    signal.insert (signal.end(), after.begin(), after.end());

    const auto rhythm = analyse (signal);
    const auto estimate = rhythm.tempo.whole();
    const auto tolerance = 2.0 / rhythm.frameRate;
    REQUIRE (! estimate.beatTimes.empty());
    CHECK (within (estimate.bpm, 100.0, 0.04));
    CHECK (estimate.beatTimes.front() == Approx (5.0 + firstBeatSeconds).margin (tolerance));
    CHECK (estimate.beatTimes.back() <= 25.0 + tolerance);
    CHECK (estimate.beatTimes.size() == beatSamples (100.0, 20.0).size());
}

TEST_CASE ("The same audio gives the same rhythm features", "[features][rhythm]")
{
    const auto signal = drumPattern (97.0, 20.0, 3);
    const auto first = analyse (signal);
    const auto second = analyse (signal);
    CHECK (first.odf == second.odf);
    CHECK (first.onsetFrames == second.onsetFrames);
    CHECK (first.currentBpm == second.currentBpm);
    CHECK (first.tempo.whole().beatTimes == second.tempo.whole().beatTimes);
}

TEST_CASE ("Onsets::process neither allocates nor frees", "[features][rhythm][allocation]")
{
    Onsets onsets;
    onsets.prepare (sampleRate, 2048, sampleRate / 512);
    std::vector<float> magnitudes (1025);
    juce::Random random (9);

    const test::ScopedAllocationGuard guard;
    for (int n = 0; n < 1000; ++n)
    {
        for (auto& m : magnitudes)
            m = n % 20 == 0 ? random.nextFloat() : 0.001f;
        onsets.process (magnitudes.data());
    }
    CHECK (guard.allocations() == 0);
    CHECK (guard.deallocations() == 0);
    CHECK (onsets.onsetRate() == Approx (sampleRate / 512 / 20).epsilon (0.01));
}

TEST_CASE ("Tempo and beats of a 10-minute stream", "[features][rhythm]")
{
    // An ODF straight into Tempo: a pulse on every beat at 128 BPM (in the frame the
    // beat falls in, as audio would give) over a noise floor.
    const auto frameRate = sampleRate / 512;
    const auto period = 60.0 * frameRate / 128.0;
    Tempo tempo;
    tempo.prepare (frameRate);
    juce::Random random (4);
    const auto numFrames = static_cast<int> (600.0 * frameRate);
    int numBeats = 0;
    for (int n = 0; n < numFrames; ++n)
    {
        const auto isBeat = std::floor (n / period) != std::floor ((n - 1) / period);
        numBeats += isBeat ? 1 : 0;
        tempo.addOdf ((isBeat ? 1.0f : 0.0f) + 0.1f * random.nextFloat());
    }

    const auto estimate = tempo.whole();
    CHECK (within (estimate.bpm, 128.0, 0.01));
    CHECK (std::abs (static_cast<int> (estimate.beatTimes.size()) - numBeats) <= 2);
    CHECK (within (tempo.current().bpm, 128.0, 0.02));
}

TEST_CASE ("With a history limit, whole() covers the last stretch of a long stream and addOdf stops allocating",
           "[features][rhythm][allocation][guard]")
{
    // An hour at 100 BPM, then 3 minutes at 140: limited to 2 minutes, whole() hears
    // only the 140 and places its beats at their times in the stream.
    REQUIRE (test::ScopedAllocationGuard::isActive());
    const auto frameRate = sampleRate / 512;
    Tempo tempo;
    tempo.limitHistory (120.0);
    tempo.prepare (frameRate);
    juce::Random random (5);
    auto feed = [&] (double bpm, double fromSeconds, double seconds)
    {
        const auto period = 60.0 * frameRate / bpm;
        const auto first = static_cast<int> (fromSeconds * frameRate);
        for (int n = first; n < first + static_cast<int> (seconds * frameRate); ++n)
        {
            const auto isBeat = std::floor ((n - first) / period) != std::floor ((n - first - 1) / period);
            tempo.addOdf ((isBeat ? 1.0f : 0.0f) + 0.1f * random.nextFloat());
        }
    };
    feed (100.0, 0.0, 300.0); // fills the history twice over: its memory is now all there
    {
        const test::ScopedAllocationGuard guard;
        feed (100.0, 300.0, 3300.0);
        CHECK (guard.allocations() == 0);
    }
    feed (140.0, 3600.0, 180.0);

    const auto estimate = tempo.whole();
    CHECK (within (estimate.bpm, 140.0, 0.01));
    REQUIRE_FALSE (estimate.beatTimes.empty());
    CHECK (estimate.beatTimes.front() >= 3780.0 - 120.0 - 1.0);
    CHECK (estimate.beatTimes.back() <= 3780.0);
    CHECK (estimate.beatTimes.back() >= 3780.0 - 1.0);
    // 140 BPM: 280 beats in the last 120 s.
    CHECK (std::abs (static_cast<int> (estimate.beatTimes.size()) - 280) <= 2);
}
