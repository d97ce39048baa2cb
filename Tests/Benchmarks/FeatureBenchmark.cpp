// Cost of the feature set, on one core.
//
//   FeatureSet      the full offline analysis (Level + FeatureExtractor) of a
//                   10-minute stereo 44.1 kHz signal; reported in x-realtime
//   FeatureFamilyAlone  the same with one family (and its dependencies) alone, as
//                   `earshot analyze --only FAMILY` runs it; the family is the label
//   AnalysisMemory  heap held by one prepared analysis instance (Level + FeatureExtractor)
//   Fft*            the FFT the features use (FFTW, single precision, r2c)
//                   beside JUCE's own FFT, at the features' size (2048)

#include "Features/FeatureExtractor.h"
#include "Features/Level.h"
#include "Features/OfflineAnalyzer.h"

#include <benchmark/benchmark.h>
#include <fftw3.h>
#include <juce_dsp/juce_dsp.h>

#include <malloc.h>

#include <cmath>
#include <vector>

using namespace earshot;

namespace
{
constexpr double sampleRate = 44100.0;

/** Ten minutes of music-like audio: kick, hat and a chord progression at 124 BPM. */
const juce::AudioBuffer<float>& tenMinutes()
{
    static const auto audio = []
    {
        const auto length = static_cast<int> (600.0 * sampleRate);
        juce::AudioBuffer<float> buffer (2, length);
        juce::Random random (3);
        const auto beat = static_cast<int> (sampleRate * 60.0 / 124.0);
        const double roots[] = { 220.0, 174.61, 261.63, 196.0 };
        for (int i = 0; i < length; ++i)
        {
            const auto t = i / sampleRate;
            const auto sinceBeat = (i % beat) / sampleRate;
            const auto root = roots[(i / (beat * 4)) % 4];
            const auto kick = 0.5 * std::sin (2.0 * M_PI * 55.0 * sinceBeat) * std::exp (-sinceBeat * 18.0);
            const auto hat =
                0.1 * (2.0 * random.nextDouble() - 1.0) * std::exp (-((i + beat / 2) % beat) / sampleRate * 70.0);
            const auto chord = 0.07 * (std::sin (2.0 * M_PI * root * t) + std::sin (2.0 * M_PI * root * 1.26 * t) +
                                       std::sin (2.0 * M_PI * root * 1.5 * t));
            buffer.setSample (0, i, static_cast<float> (kick + hat + chord));
            buffer.setSample (1, i, static_cast<float> (kick + 0.5 * hat + 1.2 * chord));
        }
        return buffer;
    }();
    return audio;
}

void FeatureSet (benchmark::State& state)
{
    const auto& audio = tenMinutes();
    OfflineOptions options;
    for (auto _ : state)
    {
        auto result = OfflineAnalyzer::analyse (audio, sampleRate, options);
        benchmark::DoNotOptimize (result.summary.integratedLufs);
    }
    const auto audioSeconds = audio.getNumSamples() / sampleRate;
    state.counters["x_realtime"] =
        benchmark::Counter (audioSeconds * static_cast<double> (state.iterations()), benchmark::Counter::kIsRate);
}

void FeatureFamilyAlone (benchmark::State& state)
{
    const auto& audio = tenMinutes();
    const auto family = FeatureFamilies::everyFamily()[static_cast<size_t> (state.range (0))];
    state.SetLabel (std::string (FeatureFamilies::nameOf (family)));
    OfflineOptions options;
    options.settings.families = FeatureFamilies::none().with (family);
    for (auto _ : state)
    {
        auto result = OfflineAnalyzer::analyse (audio, sampleRate, options);
        benchmark::DoNotOptimize (result.summary.durationSeconds);
    }
    const auto audioSeconds = audio.getNumSamples() / sampleRate;
    state.counters["x_realtime"] =
        benchmark::Counter (audioSeconds * static_cast<double> (state.iterations()), benchmark::Counter::kIsRate);
}

void AnalysisMemory (benchmark::State& state)
{
    for (auto _ : state)
    {
        const auto before = mallinfo2().uordblks;
        auto level = std::make_unique<Level>();
        auto features = std::make_unique<FeatureExtractor>();
        level->prepare ({ sampleRate, 512, 2 });
        features->prepare ({ sampleRate, 512, 2 });
        const auto after = mallinfo2().uordblks;
        state.counters["kib_per_instance"] = static_cast<double> (after - before) / 1024.0;
        benchmark::DoNotOptimize (features.get());
    }
}

void FftFftw (benchmark::State& state)
{
    const auto size = static_cast<int> (state.range (0));
    auto* in = static_cast<float*> (fftwf_malloc (sizeof (float) * static_cast<size_t> (size)));
    auto* out =
        static_cast<fftwf_complex*> (fftwf_malloc (sizeof (fftwf_complex) * static_cast<size_t> (size / 2 + 1)));
    auto plan = fftwf_plan_dft_r2c_1d (size, in, out, FFTW_ESTIMATE);
    for (int i = 0; i < size; ++i)
        in[i] = std::sin (0.1f * static_cast<float> (i));
    for (auto _ : state)
    {
        fftwf_execute (plan);
        benchmark::DoNotOptimize (out[1][0]);
    }
    fftwf_destroy_plan (plan);
    fftwf_free (in);
    fftwf_free (out);
}

void FftJuce (benchmark::State& state)
{
    const auto size = static_cast<int> (state.range (0));
    juce::dsp::FFT fft (static_cast<int> (std::log2 (size)));
    std::vector<float> data (static_cast<size_t> (2 * size));
    for (auto _ : state)
    {
        for (int i = 0; i < size; ++i)
            data[static_cast<size_t> (i)] = std::sin (0.1f * static_cast<float> (i));
        fft.performRealOnlyForwardTransform (data.data(), true);
        benchmark::DoNotOptimize (data[1]);
    }
}

void FftCopyOnly (benchmark::State& state)
{
    // What FftJuce pays to refill its in-place buffer each time, to subtract.
    const auto size = static_cast<int> (state.range (0));
    std::vector<float> data (static_cast<size_t> (2 * size));
    for (auto _ : state)
    {
        for (int i = 0; i < size; ++i)
            data[static_cast<size_t> (i)] = std::sin (0.1f * static_cast<float> (i));
        benchmark::DoNotOptimize (data[1]);
    }
}
} // namespace

BENCHMARK (FeatureSet)->Unit (benchmark::kMillisecond)->Iterations (1)->Repetitions (3)->ReportAggregatesOnly (true);
BENCHMARK (FeatureFamilyAlone)
    ->DenseRange (0, FeatureFamilies::count - 1)
    ->Unit (benchmark::kMillisecond)
    ->Iterations (1)
    ->Repetitions (3)
    ->ReportAggregatesOnly (true);
BENCHMARK (AnalysisMemory)->Iterations (1);
BENCHMARK (FftFftw)->Arg (2048);
BENCHMARK (FftJuce)->Arg (2048);
BENCHMARK (FftCopyOnly)->Arg (2048);
