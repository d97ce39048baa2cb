// Cost of loudness and true peak, on one core, all measured in the same run on
// 60 s of stereo 44.1 kHz noise and tones fed in 512-sample pieces (the feature
// extractor's hop), reported in x-realtime (CPU time):
//   Ebur128Loudness      (a) libebur128 M|S|I|LRA|HISTOGRAM as Loudness used it before
//                        (interleave, add frames); the baseline LoudnessMeter replaced
//   LoudnessMeterAlone   (b) LoudnessMeter, which Loudness uses now
//                        Both with queries:1 read momentary and short-term loudness every
//                        9 pieces (104 ms, as FeatureExtractor does) and integrated and
//                        range at the end; queries:0 only feed the samples.
//   LoudnessPrevious     (c) what Loudness did before: (a) and TruePeak, read as
//                        FeatureExtractor reads Loudness (last true peak every piece)
//   LoudnessNew          (d) Loudness now: (b) and TruePeak, read the same way
//   LoudnessAccuracy     (b) against libebur128 keeping every block (no histogram) on the
//                        same minute: largest momentary and short-term difference over
//                        every 104 ms reading from 3 s on, and the integrated and range
//                        differences; also those of (a), whose histogram rounds to 0.1 LU.
//                        The range differs by method too: libebur128 takes a 3 s block once
//                        a second, LoudnessMeter every 100 ms as EBU Tech 3342 asks since
//                        2016 (this signal's level steps on whole seconds, the worst case
//                        for once a second); meter_range_10hz_lu compares with the range
//                        of libebur128's short-term loudness read every 100 ms.
//   TruePeakAlone        (e) TruePeak by itself; TruePeakNoSkipping never skips quiet blocks.
//                        Also on drums/1: a minute of kick and hat hits, whose decays let
//                        TruePeak skip blocks (on noise and tones it finds none to skip)
//   Ebur128TruePeakOnly  (f) libebur128's true peak by itself: the time of M|TRUE_PEAK
//                        less the time of M, on the same pieces
//   TruePeakAccuracy     both true-peak meters on sines whose true peak is known (crests
//                        between samples, 0.02 to 0.45 fs): worst under- and over-read in
//                        dB; and the largest difference between them over the pieces above

#include "Features/Loudness.h"
#include "Features/LoudnessMeter.h"
#include "Features/TruePeak.h"

#include <benchmark/benchmark.h>
#include <ebur128.h>
#include <juce_audio_basics/juce_audio_basics.h>

#include <algorithm>
#include <cmath>
#include <ctime>
#include <memory>
#include <utility>
#include <vector>

using namespace earshot;

namespace
{
constexpr double sampleRate = 44100.0;
constexpr int pieceSize = 512;
constexpr double twoPi = juce::MathConstants<double>::twoPi;
// FeatureExtractor reads momentary and short-term loudness every 100 ms or so.
constexpr int piecesPerQuery = 9;
constexpr int exactMode = EBUR128_MODE_M | EBUR128_MODE_S | EBUR128_MODE_I | EBUR128_MODE_LRA;
// What Loudness asked of libebur128 before LoudnessMeter: the histogram keeps
// process() from allocating.
constexpr int loudnessMode = exactMode | EBUR128_MODE_HISTOGRAM;

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
            const auto tones = 0.4 * std::sin (twoPi * 440.0 * t) + 0.2 * std::sin (twoPi * 5274.0 * t);
            for (int c = 0; c < 2; ++c)
                buffer.setSample (c, i, static_cast<float> (level * (0.5 * (2.0 * random.nextDouble() - 1.0) + tones)));
        }
        return buffer;
    }();
    return audio;
}

/** One minute of kick and hat hits at 124 BPM: loud attacks, long decays. */
const juce::AudioBuffer<float>& oneMinuteOfDrums()
{
    static const auto audio = []
    {
        const auto length = static_cast<int> (60.0 * sampleRate);
        const auto beat = static_cast<int> (sampleRate * 60.0 / 124.0);
        juce::AudioBuffer<float> buffer (2, length);
        juce::Random random (5);
        for (int i = 0; i < length; ++i)
        {
            const auto t = (i % beat) / sampleRate;
            const auto kick = 0.7 * std::sin (twoPi * 55.0 * t) * std::exp (-t * 18.0);
            const auto hat = 0.15 * (2.0 * random.nextDouble() - 1.0) * std::exp (-std::fmod (t, 0.121) * 70.0);
            buffer.setSample (0, i, static_cast<float> (kick + hat));
            buffer.setSample (1, i, static_cast<float> (kick - 0.5 * hat));
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

/** The readings FeatureExtractor takes: momentary and short-term every query, the rest at the end. */
struct Readings
{
    double momentary = 0.0, shortTerm = 0.0, integrated = 0.0, range = 0.0;
};

double ebur128Reading (ebur128_state* meter, int (*getter) (ebur128_state*, double*))
{
    double value = 0.0;
    getter (meter, &value);
    return value;
}

void readMomentaryAndShortTerm (ebur128_state* meter, Readings& readings)
{
    readings.momentary += ebur128Reading (meter, ebur128_loudness_momentary);
    readings.shortTerm += ebur128Reading (meter, ebur128_loudness_shortterm);
}

void readEnd (ebur128_state* meter, Readings& readings)
{
    readings.integrated += ebur128Reading (meter, ebur128_loudness_global);
    readings.range += ebur128Reading (meter, ebur128_loudness_range);
}

template <typename Meter>
void readMomentaryAndShortTerm (const Meter& meter, Readings& readings)
{
    readings.momentary += static_cast<double> (meter.momentaryLufs());
    readings.shortTerm += static_cast<double> (meter.shortTermLufs());
}

template <typename Meter>
void readEnd (const Meter& meter, Readings& readings)
{
    readings.integrated += static_cast<double> (meter.integratedLufs());
    readings.range += static_cast<double> (meter.loudnessRangeLu());
}

void Ebur128Loudness (benchmark::State& state)
{
    const auto& audio = oneMinute();
    const auto queries = state.range (0) != 0;
    std::vector<float> interleaved (2 * pieceSize);
    Readings readings;
    for (auto _ : state)
    {
        auto meter = makeEbur128 (loudnessMode);
        int piece = 0;
        forEachPiece (audio,
                      [&] (auto channels, int frames)
                      {
                          addPiece (meter.get(), channels, frames, interleaved);
                          if (queries && ++piece % piecesPerQuery == 0)
                              readMomentaryAndShortTerm (meter.get(), readings);
                      });
        if (queries)
            readEnd (meter.get(), readings);
        benchmark::DoNotOptimize (readings);
    }
    reportRealtime (state, audio);
}

void LoudnessMeterAlone (benchmark::State& state)
{
    const auto& audio = oneMinute();
    const auto queries = state.range (0) != 0;
    LoudnessMeter meter;
    Readings readings;
    for (auto _ : state)
    {
        meter.prepare (sampleRate, 2);
        int piece = 0;
        forEachPiece (audio,
                      [&] (auto channels, int frames)
                      {
                          meter.process (channels, frames);
                          if (queries && ++piece % piecesPerQuery == 0)
                              readMomentaryAndShortTerm (meter, readings);
                      });
        if (queries)
            readEnd (meter, readings);
        benchmark::DoNotOptimize (readings);
    }
    reportRealtime (state, audio);
}

void LoudnessPrevious (benchmark::State& state)
{
    const auto& audio = oneMinute();
    std::vector<float> interleaved (2 * pieceSize);
    Readings readings;
    float lastPeaks = 0.0f;
    for (auto _ : state)
    {
        auto meter = makeEbur128 (loudnessMode);
        TruePeak truePeak;
        truePeak.prepare (sampleRate, 2);
        int piece = 0;
        forEachPiece (audio,
                      [&] (auto channels, int frames)
                      {
                          truePeak.process (channels, frames);
                          addPiece (meter.get(), channels, frames, interleaved);
                          lastPeaks += truePeak.lastPeakGain();
                          if (++piece % piecesPerQuery == 0)
                              readMomentaryAndShortTerm (meter.get(), readings);
                      });
        readEnd (meter.get(), readings);
        lastPeaks += truePeak.peakGain();
        benchmark::DoNotOptimize (readings);
        benchmark::DoNotOptimize (lastPeaks);
    }
    reportRealtime (state, audio);
}

void LoudnessNew (benchmark::State& state)
{
    const auto& audio = oneMinute();
    Readings readings;
    float lastPeaks = 0.0f;
    for (auto _ : state)
    {
        Loudness loudness;
        loudness.prepare (sampleRate, 2);
        int piece = 0;
        forEachPiece (audio,
                      [&] (auto channels, int frames)
                      {
                          loudness.process (channels, frames);
                          lastPeaks += loudness.lastTruePeakGain();
                          if (++piece % piecesPerQuery == 0)
                              readMomentaryAndShortTerm (loudness, readings);
                      });
        readEnd (loudness, readings);
        lastPeaks += loudness.truePeakDbtp();
        benchmark::DoNotOptimize (readings);
        benchmark::DoNotOptimize (lastPeaks);
    }
    reportRealtime (state, audio);
}

/** EBU Tech 3342 (since 2016) exactly: libebur128's short-term loudness read every 100 ms,
    gated, and the 95th less the 10th percentile by nearest rank. */
double rangeOfShortTermEvery100ms (const juce::AudioBuffer<float>& audio)
{
    const auto subBlock = static_cast<int> (sampleRate / 10.0);
    auto meter = makeEbur128 (EBUR128_MODE_S);
    std::vector<float> interleaved (static_cast<size_t> (2 * subBlock));
    std::vector<double> energies;
    const auto absoluteGate = std::pow (10.0, (-70.0 + 0.691) / 10.0);
    for (int position = 0; position + subBlock <= audio.getNumSamples(); position += subBlock)
    {
        const float* channels[] = { audio.getReadPointer (0, position), audio.getReadPointer (1, position) };
        addPiece (meter.get(), channels, subBlock, interleaved);
        if (position + subBlock < 30 * subBlock)
            continue;
        if (const auto energy =
                std::pow (10.0, (ebur128Reading (meter.get(), ebur128_loudness_shortterm) + 0.691) / 10.0);
            energy >= absoluteGate)
            energies.push_back (energy);
    }
    if (energies.empty())
        return 0.0;
    auto mean = 0.0;
    for (const auto energy : energies)
        mean += energy / static_cast<double> (energies.size());
    energies.erase (std::remove_if (energies.begin(), energies.end(), [=] (double e) { return e < 0.01 * mean; }),
                    energies.end());
    std::sort (energies.begin(), energies.end());
    const auto last = static_cast<double> (energies.size() - 1);
    return 10.0 * std::log10 (energies[static_cast<size_t> (last * 0.95 + 0.5)] /
                              energies[static_cast<size_t> (last * 0.1 + 0.5)]);
}

void LoudnessAccuracy (benchmark::State& state)
{
    const auto& audio = oneMinute();
    std::vector<float> interleaved (2 * pieceSize);
    double meterMomentary = 0.0, meterShortTerm = 0.0, histogramMomentary = 0.0, histogramShortTerm = 0.0;
    Readings exact, ours, histogram;
    for (auto _ : state)
    {
        LoudnessMeter meter;
        meter.prepare (sampleRate, 2);
        auto reference = makeEbur128 (exactMode);
        auto histogramMeter = makeEbur128 (loudnessMode);
        int piece = 0;
        forEachPiece (audio,
                      [&] (auto channels, int frames)
                      {
                          meter.process (channels, frames);
                          addPiece (reference.get(), channels, frames, interleaved);
                          addPiece (histogramMeter.get(), channels, frames, interleaved);
                          if (++piece % piecesPerQuery != 0 || piece * pieceSize < 3 * static_cast<int> (sampleRate))
                              return;
                          Readings now, mine, binned;
                          readMomentaryAndShortTerm (reference.get(), now);
                          readMomentaryAndShortTerm (meter, mine);
                          readMomentaryAndShortTerm (histogramMeter.get(), binned);
                          meterMomentary = std::max (meterMomentary, std::abs (mine.momentary - now.momentary));
                          meterShortTerm = std::max (meterShortTerm, std::abs (mine.shortTerm - now.shortTerm));
                          histogramMomentary =
                              std::max (histogramMomentary, std::abs (binned.momentary - now.momentary));
                          histogramShortTerm =
                              std::max (histogramShortTerm, std::abs (binned.shortTerm - now.shortTerm));
                      });
        readEnd (reference.get(), exact);
        readEnd (meter, ours);
        readEnd (histogramMeter.get(), histogram);
    }
    state.counters["meter_momentary_lu"] = meterMomentary;
    state.counters["meter_shortterm_lu"] = meterShortTerm;
    state.counters["meter_integrated_lu"] = std::abs (ours.integrated - exact.integrated);
    state.counters["meter_range_lu"] = std::abs (ours.range - exact.range);
    state.counters["meter_range_10hz_lu"] = std::abs (ours.range - rangeOfShortTermEvery100ms (audio));
    state.counters["ebur128_hist_momentary_lu"] = histogramMomentary;
    state.counters["ebur128_hist_shortterm_lu"] = histogramShortTerm;
    state.counters["ebur128_hist_integrated_lu"] = std::abs (histogram.integrated - exact.integrated);
    state.counters["ebur128_hist_range_lu"] = std::abs (histogram.range - exact.range);
}

template <bool skips>
void runTruePeak (benchmark::State& state)
{
    const auto& audio = state.range (0) == 0 ? oneMinute() : oneMinuteOfDrums();
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
    const auto& audio = oneMinute();
    std::vector<float> interleaved (2 * pieceSize);
    // CPU time, as the rates of the other benchmarks: robust to other load on the machine.
    const auto timeMode = [&] (int mode)
    {
        auto meter = makeEbur128 (mode);
        const auto start = std::clock();
        forEachPiece (audio,
                      [&] (auto channels, int frames) { addPiece (meter.get(), channels, frames, interleaved); });
        return static_cast<double> (std::clock() - start) / CLOCKS_PER_SEC;
    };
    for (auto _ : state)
        state.SetIterationTime (
            std::max (1.0e-9, timeMode (EBUR128_MODE_M | EBUR128_MODE_TRUE_PEAK) - timeMode (EBUR128_MODE_M)));
    reportRealtime (state, audio);
}

/** Both meters' readings of the last call, after `lead` samples to settle. */
std::pair<double, double> lastPieceReadings (const juce::AudioBuffer<float>& audio, double rate, int lead)
{
    TruePeak ours;
    ours.prepare (rate, 2);
    auto theirs = makeEbur128 (EBUR128_MODE_M | EBUR128_MODE_TRUE_PEAK, rate);
    std::vector<float> interleaved (static_cast<size_t> (2 * audio.getNumSamples()));
    for (const auto& [start, length] : { std::pair { 0, lead }, std::pair { lead, audio.getNumSamples() - lead } })
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
                const auto omega = twoPi * k / n;
                juce::AudioBuffer<float> audio (2, 8192);
                for (int i = 0; i < audio.getNumSamples(); ++i)
                    for (int c = 0; c < 2; ++c)
                        audio.setSample (c, i, static_cast<float> (0.5 * std::cos (omega * (i - offset))));
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
                      largestDifference =
                          std::max (largestDifference,
                                    std::abs (20.0 * std::log10 (ours.lastPeakGain() / std::max (left, right))));
                  });
    state.counters["piece_difference_db"] = largestDifference;
}
} // namespace

BENCHMARK (Ebur128Loudness)->ArgName ("queries")->Arg (0)->Arg (1)->Unit (benchmark::kMillisecond)->MinTime (1.0);
BENCHMARK (LoudnessMeterAlone)->ArgName ("queries")->Arg (0)->Arg (1)->Unit (benchmark::kMillisecond)->MinTime (1.0);
BENCHMARK (LoudnessPrevious)->Unit (benchmark::kMillisecond)->MinTime (1.0);
BENCHMARK (LoudnessNew)->Unit (benchmark::kMillisecond)->MinTime (1.0);
BENCHMARK (LoudnessAccuracy)->Iterations (1);
BENCHMARK (TruePeakAlone)->ArgName ("drums")->Arg (0)->Arg (1)->Unit (benchmark::kMillisecond)->MinTime (1.0);
BENCHMARK (TruePeakNoSkipping)->ArgName ("drums")->Arg (0)->Arg (1)->Unit (benchmark::kMillisecond)->MinTime (1.0);
BENCHMARK (Ebur128TruePeakOnly)->Unit (benchmark::kMillisecond)->UseManualTime()->MinTime (1.0);
BENCHMARK (TruePeakAccuracy)->Iterations (1);
