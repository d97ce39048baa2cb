// earshot-soak: hours of generated music through the whole plugin, faster than real
// time, reporting memory over time. See Tests/Soak/README.md and `.ci/soak`.
//
// What runs is what a DAW runs: EarshotProcessor::processBlock on this thread (the
// "audio thread"), the analysis engine's thread with every stage (levels, features,
// live recommendations against a catalog), and a "message thread" here reading
// snapshots and events as the editor does, and sending likes and skips now and then.

#include "EarshotProcessor.h"
#include "Recommend/Catalog.h"
#include "Recommend/CatalogScanner.h"

#include <juce_audio_formats/juce_audio_formats.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <malloc.h>
#include <random>
#include <string>
#include <vector>

namespace
{
using Clock = std::chrono::steady_clock;

struct Options
{
    double hours = 2.0;
    double sampleRate = 48000.0;
    int blockSize = 512;
    double reportMinutes = 15.0;
    double warmUpMinutes = 10.0;
    double allowedGrowthMiB = 1.0;
    std::string catalogFolder;
};

constexpr const char* usage = R"(usage: earshot-soak [options]

Runs hours of generated music (tracks of 2-6 minutes at changing tempi and keys,
gaps of silence, a burst of NaN, Inf and denormal samples every hour) through the
Earshot plugin as fast as its analysis keeps up, and reports memory over time.
Exits 1 if the heap in use grew by more than the allowed amount after warm-up, or
if any block was dropped.

  --hours H            hours of audio (default 2)
  --sample-rate SR     (default 48000)
  --block N            samples per processBlock (default 512)
  --report-minutes M   a line every M minutes of audio (default 15)
  --warm-up-minutes M  memory is compared from this point on (default 10)
  --max-growth-mib X   allowed heap growth after warm-up (default 1)
  --catalog-folder D   audio to build the recommendation catalog from
                       (default: Resources/Demo of the source tree)
  --help
)";

bool parse (int argc, char** argv, Options& options)
{
    for (int i = 1; i < argc; ++i)
    {
        const std::string arg = argv[i];
        if (arg == "--help" || arg == "-h")
        {
            std::cout << usage;
            std::exit (0);
        }
        if (i + 1 >= argc)
        {
            std::cerr << "earshot-soak: " << arg << " needs a value (or is unknown); see --help\n";
            return false;
        }
        const std::string value = argv[++i];
        char* end = nullptr;
        const auto number = std::strtod (value.c_str(), &end);
        const auto isNumber = end != value.c_str() && *end == '\0' && std::isfinite (number) && number > 0.0;
        if (arg == "--catalog-folder")
            options.catalogFolder = value;
        else if (! isNumber)
        {
            std::cerr << "earshot-soak: " << arg << " needs a positive number, not '" << value << "'\n";
            return false;
        }
        else if (arg == "--hours")
            options.hours = number;
        else if (arg == "--sample-rate")
            options.sampleRate = number;
        else if (arg == "--block")
            options.blockSize = static_cast<int> (number);
        else if (arg == "--report-minutes")
            options.reportMinutes = number;
        else if (arg == "--warm-up-minutes")
            options.warmUpMinutes = number;
        else if (arg == "--max-growth-mib")
            options.allowedGrowthMiB = number;
        else
        {
            std::cerr << "earshot-soak: unknown option " << arg << "; see --help\n";
            return false;
        }
    }
    if (options.sampleRate < 8000.0 || options.sampleRate > 192000.0 || options.blockSize > 8192)
    {
        std::cerr << "earshot-soak: the sample rate must be 8000..192000 and the block at most 8192\n";
        return false;
    }
    return true;
}

/** Heap bytes in use (glibc's count of allocated chunks, mmapped ones included). */
double heapMiB()
{
    const auto info = mallinfo2();
    return static_cast<double> (info.uordblks + info.hblkhd) / (1024.0 * 1024.0);
}

/** Resident set size, from /proc/self/statm. */
double residentMiB()
{
    long pages = 0, resident = 0;
    if (auto* file = std::fopen ("/proc/self/statm", "r"))
    {
        if (std::fscanf (file, "%ld %ld", &pages, &resident) != 2)
            resident = 0;
        std::fclose (file);
    }
    return static_cast<double> (resident) * static_cast<double> (sysconf (_SC_PAGESIZE)) / (1024.0 * 1024.0);
}

std::string clock (double seconds)
{
    const auto total = static_cast<long> (seconds);
    char text[32];
    std::snprintf (text, sizeof (text), "%ld:%02ld:%02ld", total / 3600, (total / 60) % 60, total % 60);
    return text;
}

/** Music-like stereo audio: each "track" loops four generated bars (kick, hats, a
    triad pad and a bass line at the track's tempo and key) for 2 to 6 minutes, then
    2 s of silence; every hour, 10 ms of NaN, Inf and denormal samples. */
class Music
{
public:
    explicit Music (double rate)
        : sampleRate (rate)
    {
        // The slowest track's loop, up front: the generator's own memory must not
        // look like the pipeline's growth when a slower track comes along.
        loop.reserve (static_cast<size_t> (2.0 * std::ceil (16.0 * 60.0 / minBpm * sampleRate)) + 2);
        nextTrack();
    }

    void fill (juce::AudioBuffer<float>& buffer)
    {
        const auto hourSamples = static_cast<int64_t> (3600.0 * sampleRate);
        for (int i = 0; i < buffer.getNumSamples(); ++i, ++position, ++trackPosition)
        {
            if (trackPosition >= trackLength)
                nextTrack();
            float left = 0.0f, right = 0.0f;
            if (trackPosition < trackLength - gapLength)
            {
                const auto index = static_cast<size_t> (trackPosition % loopLength);
                left = loop[2 * index];
                right = loop[2 * index + 1];
            }
            const auto intoHour = position % hourSamples;
            if (position > 0 && intoHour < static_cast<int64_t> (0.01 * sampleRate))
            {
                const auto kind = intoHour % 3;
                left = kind == 0 ? std::nanf ("") : kind == 1 ? INFINITY : 1.0e-39f;
                right = -left;
            }
            buffer.setSample (0, i, left);
            buffer.setSample (1, i, right);
        }
    }

    int tracksStarted() const noexcept { return tracks; }

private:
    void nextTrack()
    {
        ++tracks;
        trackPosition = 0;
        std::uniform_real_distribution<double> minutes (2.0, 6.0), bpm (minBpm, 170.0);
        std::uniform_int_distribution<int> keys (0, 11), modes (0, 1);
        trackLength = static_cast<int64_t> (minutes (random) * 60.0 * sampleRate);
        gapLength = static_cast<int64_t> (2.0 * sampleRate);

        const auto beat = 60.0 / bpm (random);
        const auto root = 110.0 * std::pow (2.0, keys (random) / 12.0);
        const auto third = modes (random) == 0 ? 4 : 3;
        loopLength = static_cast<int64_t> (16.0 * beat * sampleRate);
        loop.assign (static_cast<size_t> (2 * loopLength), 0.0f);
        std::uniform_real_distribution<float> noise (-1.0f, 1.0f);
        for (int64_t n = 0; n < loopLength; ++n)
        {
            const auto t = static_cast<double> (n) / sampleRate;
            const auto inBeat = std::fmod (t, beat);
            const auto inHalf = std::fmod (t, beat / 2.0);
            const auto bar = static_cast<int> (t / (4.0 * beat)); // I, IV, V, I
            const double degree[] = { 0.0, 5.0, 7.0, 0.0 };
            const auto chordRoot = root * std::pow (2.0, degree[bar % 4] / 12.0);
            const auto kick =
                0.8 * std::sin (2.0 * juce::MathConstants<double>::pi * 55.0 * inBeat) * std::exp (-inBeat * 18.0);
            const auto hat = 0.15 * noise (random) * std::exp (-inHalf * 90.0);
            double pad = 0.0;
            for (const auto semitones : { 12.0, 12.0 + third, 19.0 })
                pad += 0.08 * std::sin (2.0 * juce::MathConstants<double>::pi * chordRoot *
                                        std::pow (2.0, semitones / 12.0) * t);
            const auto bass = 0.2 * std::sin (2.0 * juce::MathConstants<double>::pi * chordRoot / 2.0 * t);
            loop[static_cast<size_t> (2 * n)] = static_cast<float> (kick + hat + pad + bass);
            loop[static_cast<size_t> (2 * n + 1)] = static_cast<float> (kick + 0.7 * hat + pad + bass * 0.9);
        }
    }

    static constexpr double minBpm = 70.0;
    double sampleRate;
    std::mt19937 random { 20261122 };
    std::vector<float> loop;
    int64_t loopLength = 1, trackLength = 0, gapLength = 0, trackPosition = 0, position = 0;
    int tracks = 0;
};

/** Builds a catalog from `folder` in a private data folder and points
    $XDG_DATA_HOME there, where the plugin's live recommendations look. */
bool prepareCatalog (const juce::File& dataHome, const std::string& folder, int& tracks)
{
    setenv ("XDG_DATA_HOME", dataHome.getFullPathName().toRawUTF8(), 1);
    std::string error;
    const auto catalog = earshot::Catalog::open (earshot::Catalog::defaultPath(), error);
    if (catalog == nullptr)
    {
        std::cerr << "earshot-soak: " << error << "\n";
        return false;
    }
    earshot::ScanOptions options;
    const auto result = earshot::CatalogScanner::scan (*catalog, { folder }, options);
    tracks = static_cast<int> (catalog->trackCount());
    if (! result.error.empty() || tracks == 0)
    {
        std::cerr << "earshot-soak: cannot build the catalog from " << folder << ": "
                  << (result.error.empty() ? "no audio files there" : result.error) << "\n";
        return false;
    }
    return true;
}
} // namespace

int main (int argc, char** argv)
{
    Options options;
#ifdef EARSHOT_DEMO_DIR
    options.catalogFolder = EARSHOT_DEMO_DIR;
#endif
    if (! parse (argc, argv, options))
        return 2;

    juce::ScopedJuceInitialiser_GUI juce; // the processor's parameters want a message manager
    const auto dataHome = juce::File::createTempFile ("earshot-soak");
    int catalogTracks = 0;
    if (! dataHome.createDirectory() || ! prepareCatalog (dataHome, options.catalogFolder, catalogTracks))
        return 1;

    std::printf ("earshot-soak: %.2f h of generated music at %.0f Hz, %d-sample blocks, through the plugin "
                 "(catalog: %d tracks)\n",
                 options.hours, options.sampleRate, options.blockSize, catalogTracks);
    std::printf ("%10s %9s %11s %9s %9s %7s %6s %6s %9s\n", "audio", "wall", "x realtime", "heap MiB", "RSS MiB",
                 "tracks", "drops", "lists", "feedback");
    std::fflush (stdout);

    int status = 0;
    {
        earshot::EarshotProcessor processor;
        processor.enableAllBuses();
        processor.prepareToPlay (options.sampleRate, options.blockSize);
        auto& engine = processor.getEngine();

        Music music (options.sampleRate);
        juce::AudioBuffer<float> buffer (2, options.blockSize);
        juce::MidiBuffer midi;

        const auto totalSamples = static_cast<int64_t> (options.hours * 3600.0 * options.sampleRate);
        // Half the tap's ring: pushed while the analysis is idle, it always fits.
        const auto paceSamples = static_cast<int64_t> (earshot::AudioTap::ringSeconds / 2.0 * options.sampleRate);
        const auto reportSamples = static_cast<int64_t> (options.reportMinutes * 60.0 * options.sampleRate);
        const auto warmUpSamples = static_cast<int64_t> (options.warmUpMinutes * 60.0 * options.sampleRate);
        const auto started = Clock::now();
        int64_t done = 0, sincePace = 0, nextReport = reportSamples, feedbackSent = 0;
        uint64_t drops = 0, lists = 0, lastGeneration = 0;
        double baselineHeap = -1.0, baselineResident = 0.0, peakHeap = 0.0, finalHeap = 0.0, finalResident = 0.0;
        std::mt19937 random (7);
        earshot::EngineEvent event;

        auto report = [&]
        {
            const auto wall = std::chrono::duration<double> (Clock::now() - started).count();
            const auto audio = static_cast<double> (done) / options.sampleRate;
            finalHeap = heapMiB();
            finalResident = residentMiB();
            if (done >= warmUpSamples && baselineHeap < 0.0)
            {
                baselineHeap = finalHeap;
                baselineResident = finalResident;
            }
            if (baselineHeap >= 0.0)
                peakHeap = std::max (peakHeap, finalHeap);
            std::printf ("%10s %9s %11.0f %9.2f %9.1f %7d %6llu %6llu %9lld\n", clock (audio).c_str(),
                         clock (wall).c_str(), audio / std::max (wall, 1e-9), finalHeap, finalResident,
                         music.tracksStarted(), static_cast<unsigned long long> (drops),
                         static_cast<unsigned long long> (lists), static_cast<long long> (feedbackSent));
            std::fflush (stdout);
        };

        while (done < totalSamples)
        {
            const auto samples = static_cast<int> (std::min<int64_t> (options.blockSize, totalSamples - done));
            buffer.setSize (2, samples, false, false, true);
            music.fill (buffer);
            processor.processBlock (buffer, midi);
            done += samples;
            sincePace += samples;

            if (sincePace >= paceSamples || done >= totalSamples)
            {
                // As fast as the analysis keeps up: wait for it every second of audio, then
                // do what the editor's timer does.
                sincePace = 0;
                if (! engine.waitUntilIdle (60000))
                {
                    std::fprintf (stderr, "earshot-soak: the analysis stopped answering\n");
                    status = 1;
                    break;
                }
                const auto& snapshot = engine.readSnapshot();
                drops = snapshot.health.blocksDropped;
                const auto& recommendations = snapshot.recommendations;
                if (recommendations.generation != lastGeneration)
                {
                    lastGeneration = recommendations.generation;
                    ++lists;
                    // A listener reacting to about one list in three.
                    if (recommendations.count > 0 && random() % 3 == 0)
                    {
                        const auto& entry =
                            recommendations.entries[random() % static_cast<unsigned> (recommendations.count)];
                        const auto kind =
                            random() % 2 == 0 ? earshot::FeedbackEvent::Kind::like : earshot::FeedbackEvent::Kind::skip;
                        processor.recordFeedback ({ entry.trackId, kind, 30.0, juce::Time::currentTimeMillis() });
                        ++feedbackSent;
                    }
                }
                while (engine.popEvent (event))
                {
                }
            }
            if (done >= nextReport || done >= totalSamples)
            {
                report();
                nextReport += reportSamples;
            }
        }
        processor.releaseResources();

        if (status == 0)
        {
            if (baselineHeap < 0.0)
            {
                baselineHeap = finalHeap;
                baselineResident = finalResident;
            }
            const auto growth = finalHeap - baselineHeap;
            const auto flat = growth <= options.allowedGrowthMiB;
            std::printf (
                "memory after warm-up (%s): heap %.2f -> %.2f MiB (%+.2f MiB, peak %.2f), RSS %.1f -> %.1f MiB "
                "(%+.1f MiB): %s\n",
                clock (options.warmUpMinutes * 60.0).c_str(), baselineHeap, finalHeap, growth, peakHeap,
                baselineResident, finalResident, finalResident - baselineResident, flat ? "flat" : "GROWING");
            std::printf ("dropped blocks: %llu\n", static_cast<unsigned long long> (drops));
            if (! flat || drops > 0)
                status = 1;
        }
    }
    dataHome.deleteRecursively();
    return status;
}
