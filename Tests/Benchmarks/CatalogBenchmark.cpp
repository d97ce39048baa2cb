// Throughput of `earshot catalog add`, in seconds of audio per second (x_realtime).
//
//   CatalogAnalyseOnly        baseline: read and analyse the library's files one after
//                             another on one thread (OfflineAnalyzer), no catalog
//   CatalogScan/jobs          a full scan into a new catalog with 1 and 2 jobs: walk,
//                             fingerprint, analyse, one transaction per track
//   CatalogRescan             a second scan of the unchanged library (stat and skip):
//                             files_per_second
//
// The library: 24 files of 20 s, stereo, 44.1 kHz, 16-bit WAV (8 minutes of audio),
// written once to a temporary folder. Scan/AnalyseOnly is the catalog's overhead;
// Scan/2 / Scan/1 is how it scales with cores. x_realtime_per_cpu divides by the CPU
// time of every thread instead of wall time: the cost, undistorted by a busy machine.

#include "Features/OfflineAnalyzer.h"
#include "Recommend/CatalogScanner.h"

#include <benchmark/benchmark.h>

#include <cmath>
#include <ctime>

using namespace earshot;

namespace
{
constexpr int numFiles = 24;
constexpr double secondsPerFile = 20.0, sampleRate = 44100.0;
constexpr double librarySeconds = numFiles * secondsPerFile;

/** The generated library, deleted when the benchmarks end. */
struct Library
{
    Library()
    {
        folder.createDirectory();
        const auto length = static_cast<int> (secondsPerFile * sampleRate);
        juce::AudioBuffer<float> audio (2, length);
        for (int f = 0; f < numFiles; ++f)
        {
            // A chord pulsing at a tempo of its own per file, so that tempo and key vary.
            const auto root = 110.0 * std::pow (2.0, f / 12.0);
            const auto beatSamples = sampleRate * 60.0 / (90.0 + 2.5 * f);
            for (int i = 0; i < length; ++i)
            {
                const auto t = i / sampleRate;
                const auto pulse = std::exp (-std::fmod (i, beatSamples) / sampleRate * 8.0);
                const auto chord = std::sin (2.0 * M_PI * root * t) + 0.6 * std::sin (2.0 * M_PI * root * 1.25 * t) +
                                   0.4 * std::sin (2.0 * M_PI * root * 1.5 * t);
                audio.setSample (0, i, static_cast<float> (0.25 * pulse * chord));
                audio.setSample (1, i, static_cast<float> (0.2 * pulse * chord));
            }
            juce::WavAudioFormat wav;
            const auto file = folder.getChildFile ("track" + juce::String (f).paddedLeft ('0', 2) + ".wav");
            std::unique_ptr<juce::AudioFormatWriter> writer (
                wav.createWriterFor (new juce::FileOutputStream (file), sampleRate, 2, 16, {}, 0));
            writer->writeFromAudioSampleBuffer (audio, 0, length);
        }
    }

    ~Library() { folder.deleteRecursively(); }

    const juce::File folder = juce::File::getSpecialLocation (juce::File::tempDirectory)
                                  .getNonexistentChildFile ("earshot-catalog-benchmark", "");
};

const Library& library()
{
    static const Library instance;
    return instance;
}

void deleteDatabase (const juce::File& file)
{
    for (const auto* suffix : { "", "-wal", "-shm" })
        file.getSiblingFile (file.getFileName() + suffix).deleteFile();
}

/** CPU seconds used by the whole process (every thread) so far. */
double processCpuSeconds()
{
    timespec now {};
    clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &now);
    return static_cast<double> (now.tv_sec) + static_cast<double> (now.tv_nsec) * 1.0e-9;
}

/** x_realtime in wall time (what the user waits), and per CPU second (what it costs,
    and what a busy machine does not distort). */
void setThroughput (benchmark::State& state, double cpuSeconds)
{
    const auto audioSeconds = librarySeconds * static_cast<double> (state.iterations());
    state.counters["x_realtime"] = benchmark::Counter (audioSeconds, benchmark::Counter::kIsRate);
    state.counters["x_realtime_per_cpu"] = audioSeconds / std::max (cpuSeconds, 1.0e-9);
}

std::unique_ptr<Catalog> freshCatalog (const juce::File& file)
{
    deleteDatabase (file);
    std::string error;
    return Catalog::open (file.getFullPathName().toStdString(), error);
}

void CatalogAnalyseOnly (benchmark::State& state)
{
    const auto& files = library();
    juce::AudioFormatManager formats;
    formats.registerBasicFormats();
    const auto cpuStart = processCpuSeconds();
    for (auto _ : state)
    {
        for (const auto& entry : juce::RangedDirectoryIterator (files.folder, false, "*.wav"))
        {
            std::unique_ptr<juce::AudioFormatReader> reader (formats.createReaderFor (entry.getFile()));
            OfflineAnalysis analysis;
            juce::String error;
            OfflineAnalyzer::analyse (*reader, {}, analysis, error);
            benchmark::DoNotOptimize (analysis.summary.tempoBpm);
        }
    }
    setThroughput (state, processCpuSeconds() - cpuStart);
}

void CatalogScan (benchmark::State& state)
{
    const auto& files = library();
    const auto database = files.folder.getSiblingFile ("earshot-catalog-benchmark.db");
    ScanOptions options;
    options.jobs = static_cast<int> (state.range (0));
    double cpuSeconds = 0.0;
    for (auto _ : state)
    {
        state.PauseTiming();
        auto catalog = freshCatalog (database);
        state.ResumeTiming();
        const auto cpuStart = processCpuSeconds();
        const auto result = CatalogScanner::scan (*catalog, { files.folder.getFullPathName().toStdString() }, options);
        cpuSeconds += processCpuSeconds() - cpuStart;
        if (result.added != numFiles)
            state.SkipWithError ("the scan did not add every file");
    }
    deleteDatabase (database);
    setThroughput (state, cpuSeconds);
}

void CatalogRescan (benchmark::State& state)
{
    const auto& files = library();
    const auto database = files.folder.getSiblingFile ("earshot-catalog-benchmark-rescan.db");
    auto catalog = freshCatalog (database);
    const std::vector<std::string> paths { files.folder.getFullPathName().toStdString() };
    CatalogScanner::scan (*catalog, paths, {});
    for (auto _ : state)
    {
        const auto result = CatalogScanner::scan (*catalog, paths, {});
        if (result.unchanged != numFiles)
            state.SkipWithError ("the rescan analysed files again");
    }
    catalog.reset();
    deleteDatabase (database);
    state.counters["files_per_second"] =
        benchmark::Counter (numFiles * static_cast<double> (state.iterations()), benchmark::Counter::kIsRate);
}
} // namespace

// Real time: the scan's work is on worker threads, so the main thread's CPU time means nothing.
BENCHMARK (CatalogAnalyseOnly)
    ->Unit (benchmark::kMillisecond)
    ->Iterations (1)
    ->Repetitions (3)
    ->ReportAggregatesOnly (true)
    ->UseRealTime();
BENCHMARK (CatalogScan)
    ->Arg (1)
    ->Arg (2)
    ->Unit (benchmark::kMillisecond)
    ->Iterations (1)
    ->Repetitions (3)
    ->ReportAggregatesOnly (true)
    ->UseRealTime();
BENCHMARK (CatalogRescan)->Unit (benchmark::kMillisecond)->UseRealTime();
