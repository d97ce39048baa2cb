// Cost of loudness and true peak, on one core, all measured in the same run on
// 60 s of stereo 44.1 kHz noise and tones fed in 512-sample pieces (the feature
// extractor's hop), reported in x-realtime:
//   LoudnessOld          (a) what Loudness did before: interleave, then libebur128 with
//                        M|S|I|LRA|SAMPLE_PEAK|TRUE_PEAK|HISTOGRAM
//   LoudnessNew          (b) Loudness today: the same without TRUE_PEAK, plus TruePeak
//   LoudnessNoTruePeak   (b) without TruePeak: what true peak adds to (b)
//   TruePeakAlone        (c) TruePeak by itself; TruePeakNoSkipping never skips quiet stretches
//   Ebur128TruePeakOnly  (d) libebur128's true peak by itself: the time of M|TRUE_PEAK
//                        less the time of M, on the same pieces
//   TruePeakAccuracy     both meters on sines whose true peak is known (crests between
//                        samples, 0.02 to 0.45 fs): worst under- and over-read in dB;
//                        and the largest difference between the meters per piece above

#include "Features/Loudness.h"
#include "Features/TruePeak.h"

#include <benchmark/benchmark.h>
#include <ebur128.h>
#include <juce_audio_basics/juce_audio_basics.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <vector>

using namespace earshot;

namespace
{
constexpr double sampleRate = 44100.0;
constexpr int pieceSize = 512;
constexpr int fullMode = EBUR128_MODE_M | EBUR128_MODE_S | EBUR128_MODE_I | EBUR128_MODE_LRA |
                         EBUR128_MODE_SAMPLE_PEAK | EBUR128_MODE_TRUE_PEAK | EBUR128_MODE_HISTOGRAM;

/** One minute of noise and tones whose level changes every second. */
const juce::AudioBuffer<float>& oneMinute()
{
    static const auto audio = []
    {
        const auto length = static_cast<int> (60.0 * sampleRate);
        juce::AudioBuffer<float> buffer (2, length);
        juce::Random random (17);
        for (int i = 0; i < length; ++i)
        {
            const auto t = i / sampleRate;
            const auto level = 0.2 + 0.15 * ((i / 44100) % 5);
            const auto tones = 0.4 * std::sin (2.0 * M_PI * 440.0 * t) + 0.2 * std::sin (2.0 * M_PI * 5274.0 * t);
            for (int c = 0; c < 2; ++c)
                buffer.setSample (c, i, static_cast<float> (level * (0.5 * (2.0 * random.nextDouble() - 1.0) + tones)));
        }
        return buffer;
    }();
    return audio;
}

struct Ebur128Deleter
{
    void operator() (ebur128_state* meter) const noexcept { ebur128_destroy (&meter); }
};
using Ebur128 = std::unique_ptr<ebur128_state, Ebur128Deleter>;

Ebur128 makeEbur128 (int mode, double rate = sampleRate)
{
    return Ebur128 (ebur128_init (2, static_cast<unsigned long> (rate), mode));
}

/** Feeds one piece to libebur128 the way Loudness does: sanitised and interleaved. */
void addPiece (ebur128_state* meter, const float* const* channels, int frames, std::vector<float>& interleaved)
{
    for (int c = 0; c < 2; ++c)
        for (int i = 0; i < frames; ++i)
        {
            const auto x = channels[c][i];
            interleaved[static_cast<size_t> (2 * i + c)] = std::isfinite (x) ? x : 0.0f;
        }
    ebur128_add_frames_float (meter, interleaved.data(), static_cast<size_t> (frames));
}

/** Calls `process (channels, frames)` for each 512-sample piece of `audio`. */
template <typename Process>
void forEachPiece (const juce::AudioBuffer<float>& audio, Process&& process)
{
    for (int position = 0; position < audio.getNumSamples(); position += pieceSize)
    {
        const float* channels[] = { audio.getReadPointer (0, position), audio.getReadPointer (1, position) };
        process (channels, std::min (pieceSize, audio.getNumSamples() - position));
    }
}

void reportRealtime (benchmark::State& state, const juce::AudioBuffer<float>& audio)
{
    state.counters["x_realtime"] = benchmark::Counter (
        audio.getNumSamples() / sampleRate * static_cast<double> (state.iterations()), benchmark::Counter::kIsRate);
}

void LoudnessOld (benchmark::State& state)
{
    const auto& audio = oneMinute();
    std::vector<float> interleaved (2 * pieceSize);
    double peak = 0.0;
    for (auto _ : state)
    {
        auto meter = makeEbur128 (fullMode);
        forEachPiece (audio, [&] (auto channels, int frames) { addPiece (meter.get(), channels, frames, interleaved); });
        ebur128_true_peak (meter.get(), 0, &peak);
        benchmark::DoNotOptimize (peak);
    }
    reportRealtime (state, audio);
}

template <bool withTruePeak>
void runLoudness (benchmark::State& state)
{
    const auto& audio = oneMinute();
    TruePeak truePeak;
    for (auto _ : state)
    {
        Loudness loudness;
        loudness.prepare (sampleRate, 2);
        truePeak.prepare (sampleRate, 2);
        forEachPiece (audio,
                      [&] (auto channels, int frames)
                      {
                          loudness.process (channels, frames);
                          if (! withTruePeak)
                              truePeak.process (channels, 0); // keeps the call, not the work
                      });
        benchmark::DoNotOptimize (loudness.truePeakDbtp());
    }
    reportRealtime (state, audio);
}

void LoudnessNew (benchmark::State& state)
{
    runLoudness<true> (state);
}

/** libebur128 exactly as LoudnessNew uses it, without TruePeak. */
void LoudnessNoTruePeak (benchmark::State& state)
{
    const auto& audio = oneMinute();
    std::vector<float> interleaved (2 * pieceSize);
    double peak = 0.0;
    for (auto _ : state)
    {
        auto meter = makeEbur128 (fullMode & ~EBUR128_MODE_TRUE_PEAK);
        forEachPiece (audio, [&] (auto channels, int frames) { addPiece (meter.get(), channels, frames, interleaved); });
        ebur128_sample_peak (meter.get(), 0, &peak);
        benchmark::DoNotOptimize (peak);
    }
    reportRealtime (state, audio);
}

template <bool skips>
void runTruePeak (benchmark::State& state)
{
    const auto& audio = oneMinute();
    TruePeak meter;
    for (auto _ : state)
    {
        meter.prepare (sampleRate, 2);
        meter.setSkipsQuietStretches (skips);
        float callPeaks = 0.0f;
        forEachPiece (audio,
                      [&] (auto channels, int frames)
                      {
                          meter.process (channels, frames);
                          callPeaks += meter.lastPeakGain();
                      });
        benchmark::DoNotOptimize (callPeaks);
    }
    reportRealtime (state, audio);
}

void TruePeakAlone (benchmark::State& state)
{
    runTruePeak<true> (state);
}

void TruePeakNoSkipping (benchmark::State& state)
{
    runTruePeak<false> (state);
}

void Ebur128TruePeakOnly (benchmark::State& state)
{
    using Clock = std::chrono::steady_clock;
    const auto& audio = oneMinute();
    std::vector<float> interleaved (2 * pieceSize);
    const auto timeMode = [&] (int mode)
    {
        auto meter = makeEbur128 (mode);
        const auto start = Clock::now();
        forEachPiece (audio, [&] (auto channels, int frames) { addPiece (meter.get(), channels, frames, interleaved); });
        return std::chrono::duration<double> (Clock::now() - start).count();
    };
    for (auto _ : state)
        state.SetIterationTime (std::max (1.0e-9, timeMode (EBUR128_MODE_M | EBUR128_MODE_TRUE_PEAK) - timeMode (EBUR128_MODE_M)));
    reportRealtime (state, audio);
}

/** Both meters' readings of the last call, after `lead` samples to settle. */
std::pair<double, double> lastPieceReadings (const juce::AudioBuffer<float>& audio, double rate, int lead)
{
    TruePeak ours;
    ours.prepare (rate, 2);
    auto theirs = makeEbur128 (EBUR128_MODE_M | EBUR128_MODE_TRUE_PEAK, rate);
    std::vector<float> interleaved (static_cast<size_t> (2 * audio.getNumSamples()));
    for (const auto [start, length] : { std::pair { 0, lead }, std::pair { lead, audio.getNumSamples() - lead } })
    {
        const float* channels[] = { audio.getReadPointer (0, start), audio.getReadPointer (1, start) };
        ours.process (channels, length);
        addPiece (theirs.get(), channels, length, interleaved);
    }
    double left = 0.0, right = 0.0;
    ebur128_prev_true_peak (theirs.get(), 0, &left);
    ebur128_prev_true_peak (theirs.get(), 1, &right);
    return { ours.lastPeakGain(), std::max (left, right) };
}

void TruePeakAccuracy (benchmark::State& state)
{
    // Frequencies k/n fs put the samples on n fixed phases of the sine, so the crest
    // stays where it was put: between samples, at `offset`.
    const std::pair<int, int> frequencies[] = { { 1, 50 }, { 1, 10 }, { 1, 6 }, { 1, 5 }, { 1, 4 }, { 3, 10 },
                                                { 1, 3 },  { 3, 8 },  { 2, 5 }, { 4, 9 }, { 9, 20 } };
    const double offsets[] = { 0.5, 0.375, 0.25, 0.125 };
    double oursUnder = 0.0, oursOver = 0.0, theirsUnder = 0.0, theirsOver = 0.0;
    for (auto _ : state)
        for (const auto& [k, n] : frequencies)
            for (const auto offset : offsets)
            {
                const auto omega = 2.0 * M_PI * k / n;
                juce::AudioBuffer<float> audio (2, 8192);
                for (int i = 0; i < audio.getNumSamples(); ++i)
                    for (int c = 0; c < 2; ++c)
                        audio.setSample (c, i, static_cast<float> (0.5 * std::cos (omega * (i - offset - 0.5 * c))));
                const auto [ours, theirs] = lastPieceReadings (audio, sampleRate, 4096);
                const auto oursDb = 20.0 * std::log10 (ours / 0.5), theirsDb = 20.0 * std::log10 (theirs / 0.5);
                oursUnder = std::min (oursUnder, oursDb);
                oursOver = std::max (oursOver, oursDb);
                theirsUnder = std::min (theirsUnder, theirsDb);
                theirsOver = std::max (theirsOver, theirsDb);
            }
    state.counters["truepeak_under_db"] = oursUnder;
    state.counters["truepeak_over_db"] = oursOver;
    state.counters["ebur128_under_db"] = theirsUnder;
    state.counters["ebur128_over_db"] = theirsOver;

    // Per 512-sample piece of the benchmark signal.
    const auto& audio = oneMinute();
    TruePeak ours;
    ours.prepare (sampleRate, 2);
    auto theirs = makeEbur128 (EBUR128_MODE_M | EBUR128_MODE_TRUE_PEAK);
    std::vector<float> interleaved (2 * pieceSize);
    double largestDifference = 0.0;
    forEachPiece (audio,
                  [&] (auto channels, int frames)
                  {
                      ours.process (channels, frames);
                      addPiece (theirs.get(), channels, frames, interleaved);
                      double left = 0.0, right = 0.0;
                      ebur128_prev_true_peak (theirs.get(), 0, &left);
                      ebur128_prev_true_peak (theirs.get(), 1, &right);
                      largestDifference = std::max (
                          largestDifference, std::abs (20.0 * std::log10 (ours.lastPeakGain() / std::max (left, right))));
                  });
    state.counters["piece_difference_db"] = largestDifference;
}
} // namespace

BENCHMARK (LoudnessOld)->Unit (benchmark::kMillisecond)->MinTime (1.0);
BENCHMARK (LoudnessNew)->Unit (benchmark::kMillisecond)->MinTime (1.0);
BENCHMARK (LoudnessNoTruePeak)->Unit (benchmark::kMillisecond)->MinTime (1.0);
BENCHMARK (TruePeakAlone)->Unit (benchmark::kMillisecond)->MinTime (1.0);
BENCHMARK (TruePeakNoSkipping)->Unit (benchmark::kMillisecond)->MinTime (1.0);
BENCHMARK (Ebur128TruePeakOnly)->Unit (benchmark::kMillisecond)->UseManualTime()->MinTime (1.0);
BENCHMARK (TruePeakAccuracy)->Iterations (1);
