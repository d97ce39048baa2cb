#include "Recommend/CatalogScanner.h"

#include "Features/OfflineAnalyzer.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <unordered_map>

namespace earshot::CatalogScanner
{
namespace
{
constexpr int64_t fingerprintSpan = 64 * 1024;
constexpr double maxSampleRate = 768000.0;

using Clock = std::chrono::steady_clock;
using FingerprintIndex = std::unordered_multimap<std::string, const TrackRecord*>;

/** A file that has to be read: new, changed, or perhaps a catalogued track that moved. */
struct Job
{
    juce::File file;
    int64_t size = 0, modifiedMillis = 0;
    bool isCatalogued = false;
};

/** What a worker made of a job. */
struct Outcome
{
    size_t job = 0;
    TrackRecord track;
    /** The catalogued track (whose file is gone) this file has the fingerprint of, or 0. */
    int64_t movedFrom = 0;
    std::string error;
    double audioSeconds = 0.0;
};

uint64_t fnv1a (const char* data, size_t size, uint64_t hash) noexcept
{
    for (size_t i = 0; i < size; ++i)
        hash = (hash ^ static_cast<uint8_t> (data[i])) * 0x100000001b3ull;
    return hash;
}

/** Fingerprints, reads and analyses one file; on a worker thread. Unless the path is
    catalogued already, a file with the fingerprint of a track whose file is gone is
    taken to be that track, moved, and not analysed. */
Outcome process (const Job& job, juce::AudioFormatManager& formats, const FingerprintIndex& catalogued)
{
    Outcome outcome;
    auto& track = outcome.track;
    track.path = job.file.getFullPathName().toStdString();
    track.fileSize = job.size;
    track.modifiedMillis = job.modifiedMillis;
    track.fingerprint = fingerprint (job.file);
    if (track.fingerprint.empty())
    {
        outcome.error = job.file.hasReadAccess() ? "cannot be read" : "permission denied";
        return outcome;
    }

    if (! job.isCatalogued)
    {
        for (auto [match, end] = catalogued.equal_range (track.fingerprint); match != end; ++match)
        {
            const auto& oldPath = match->second->path;
            if (juce::File::isAbsolutePath (oldPath) && ! juce::File (oldPath).exists())
            {
                outcome.movedFrom = match->second->id;
                return outcome;
            }
        }
    }

    // The same checks, in the same words, as `earshot analyze`.
    std::unique_ptr<juce::AudioFormatReader> reader (formats.createReaderFor (job.file));
    if (reader == nullptr)
        outcome.error = job.size == 0 ? "file is empty" : "not a supported audio file, or damaged";
    else if (! (reader->sampleRate > 0.0 && reader->sampleRate <= maxSampleRate))
        outcome.error = "implausible sample rate " + juce::String (reader->sampleRate).toStdString() + " Hz";
    else if (reader->numChannels == 0 || reader->lengthInSamples <= 0)
        outcome.error = "contains no audio";
    if (! outcome.error.empty())
        return outcome;

    readTags (reader->metadataValues, track);
    OfflineAnalysis analysis;
    juce::String error;
    if (! OfflineAnalyzer::analyse (*reader, {}, analysis, error))
    {
        outcome.error = error.toStdString();
        return outcome;
    }
    track.summary = analysis.summary;
    track.features = track.summary.toVector();
    outcome.audioSeconds = static_cast<double> (reader->lengthInSamples) / reader->sampleRate;
    return outcome;
}

double secondsSince (Clock::time_point start)
{
    return std::chrono::duration<double> (Clock::now() - start).count();
}
/** One scan: workers analyse, and the scanning thread, which owns the catalog, does
    every write (each in its own transaction) as soon as a worker hands a track over. */
class ScanRun final
{
public:
    ScanRun (Catalog& catalogToUse, const ScanOptions& optionsToUse)
        : catalog (catalogToUse)
        , options (optionsToUse)
    {
    }

    ScanResult run (const std::vector<std::string>& paths)
    {
        const auto files = findAudioFiles (paths, result.unreadable, options.cancel);
        const auto walkInterrupted = isCancelled();
        plan (files);

        const auto cores = static_cast<size_t> (std::max (1u, std::thread::hardware_concurrency()));
        // A local count: finished workers decrement `running` while these start (TSan saw the race).
        const auto workers =
            static_cast<int> (std::min (jobs.size(), options.jobs > 0 ? static_cast<size_t> (options.jobs) : cores));
        running = workers;
        std::vector<std::thread> threads;
        for (int i = 0; i < workers; ++i)
            threads.emplace_back ([this] { work(); });

        analysisStarted = Clock::now();
        progress.filesTotal = static_cast<int> (files.size());
        progress.filesDone = result.unchanged;
        if (options.progress)
            options.progress (progress);
        writeUntilWorkersFinish();
        for (auto& thread : threads)
            thread.join();

        std::sort (result.unreadable.begin(), result.unreadable.end(),
                   [] (const auto& a, const auto& b) { return a.path < b.path; });
        result.cancelled = isCancelled() && (walkInterrupted || processed < jobs.size());
        result.elapsedSeconds = secondsSince (started);
        return result;
    }

private:
    bool isCancelled() const { return options.cancel != nullptr && options.cancel->load(); }

    /** Same path, size and mtime as catalogued: unchanged, and not even opened. The rest become jobs. */
    void plan (const std::vector<juce::File>& files)
    {
        known = catalog.allFiles();
        std::unordered_map<std::string, const TrackRecord*> byPath;
        for (const auto& track : known)
        {
            byPath.emplace (track.path, &track);
            byFingerprint.emplace (track.fingerprint, &track);
        }

        for (const auto& file : files)
        {
            Job job { file, file.getSize(), file.getLastModificationTime().toMilliseconds(), false };
            const auto found = byPath.find (file.getFullPathName().toStdString());
            if (found != byPath.end() && found->second->fileSize == job.size &&
                found->second->modifiedMillis == job.modifiedMillis)
            {
                ++result.unchanged;
                continue;
            }
            job.isCatalogued = found != byPath.end();
            bytesToRead += job.size;
            jobs.push_back (job);
        }
    }

    /** A worker thread: takes jobs until none are left, the scan is cancelled or a write failed. */
    void work()
    {
        juce::AudioFormatManager formats;
        formats.registerBasicFormats();
        for (auto index = next++; index < jobs.size() && ! writeFailed && ! isCancelled(); index = next++)
        {
            auto outcome = process (jobs[index], formats, byFingerprint);
            outcome.job = index;
            const std::lock_guard<std::mutex> lock (mutex);
            finished.push_back (std::move (outcome));
            wake.notify_one();
        }
        const std::lock_guard<std::mutex> lock (mutex);
        --running;
        wake.notify_one();
    }

    void writeUntilWorkersFinish()
    {
        for (;;)
        {
            std::deque<Outcome> batch;
            {
                std::unique_lock<std::mutex> lock (mutex);
                wake.wait (lock, [this] { return ! finished.empty() || running == 0; });
                if (finished.empty())
                    return;
                batch.swap (finished);
            }
            for (auto& outcome : batch)
            {
                bytesRead += jobs[outcome.job].size;
                ++processed;
                if (! writeFailed)
                    write (outcome);
                report();
            }
        }
    }

    void write (Outcome& outcome)
    {
        const auto& job = jobs[outcome.job];
        const auto& track = outcome.track;
        if (outcome.movedFrom != 0)
        {
            if (claimed.insert (outcome.movedFrom).second &&
                catalog.moveTrack (outcome.movedFrom, track.path, track.fileSize, track.modifiedMillis))
            {
                ++result.moved;
                return;
            }
            // Two copies of one moved file: the first took the track, this one is analysed as new.
            if (! ownFormats.has_value())
                ownFormats.emplace().registerBasicFormats();
            outcome = process (job, *ownFormats, {});
        }

        if (! outcome.error.empty())
            result.unreadable.push_back ({ track.path, outcome.error });
        else if (catalog.upsert (track) == 0)
        {
            result.error = track.path + ": cannot write to the catalog: " + catalog.lastError();
            writeFailed = true;
        }
        else
        {
            ++(job.isCatalogued ? result.updated : result.added);
            result.audioSeconds += outcome.audioSeconds;
        }
    }

    void report()
    {
        const auto elapsed = secondsSince (analysisStarted);
        progress.filesDone = result.unchanged + static_cast<int> (processed);
        progress.audioSeconds = result.audioSeconds;
        progress.elapsedSeconds = secondsSince (started);
        progress.realtimeFactor = result.audioSeconds / std::max (elapsed, 1e-9);
        progress.etaSeconds = elapsed * static_cast<double> (bytesToRead - bytesRead) /
                              static_cast<double> (std::max<int64_t> (bytesRead, 1));
        if (options.progress)
            options.progress (progress);
    }

    Catalog& catalog;
    const ScanOptions& options;
    const Clock::time_point started = Clock::now();
    Clock::time_point analysisStarted;
    ScanResult result;
    ScanProgress progress;

    std::vector<TrackRecord> known;
    FingerprintIndex byFingerprint;
    std::vector<Job> jobs;
    int64_t bytesToRead = 0, bytesRead = 0;
    size_t processed = 0;

    // Shared with the workers: `next` and `writeFailed` atomically, the rest under `mutex`.
    std::atomic<size_t> next { 0 };
    std::atomic<bool> writeFailed { false };
    std::mutex mutex;
    std::condition_variable wake;
    std::deque<Outcome> finished;
    int running = 0;

    // The scanning thread's own.
    std::set<int64_t> claimed;
    std::optional<juce::AudioFormatManager> ownFormats;

    JUCE_DECLARE_NON_COPYABLE (ScanRun)
};
} // namespace

std::vector<juce::File> findAudioFiles (const std::vector<std::string>& paths, std::vector<UnreadableFile>& missing,
                                        const std::atomic<bool>* cancel)
{
    const auto cwd = juce::File::getCurrentWorkingDirectory();
    std::vector<juce::File> files;
    for (const auto& path : paths)
    {
        const auto item = cwd.getChildFile (juce::String::fromUTF8 (path.c_str()));
        if (item.isDirectory())
        {
            for (const auto& entry :
                 juce::RangedDirectoryIterator (item, true, "*", juce::File::findFiles | juce::File::ignoreHiddenFiles,
                                                juce::File::FollowSymlinks::noCycles))
            {
                if (cancel != nullptr && cancel->load())
                    break;
                if (entry.getFile().hasFileExtension ("wav;aif;aiff;flac;ogg;mp3"))
                    files.push_back (entry.getFile());
            }
        }
        else if (item.existsAsFile())
            files.push_back (item);
        else
            missing.push_back ({ item.getFullPathName().toStdString(), "no such file or folder" });
    }

    std::sort (files.begin(), files.end());
    files.erase (std::unique (files.begin(), files.end()), files.end());
    return files;
}

std::string fingerprint (const juce::File& file)
{
    juce::FileInputStream stream (file);
    if (! stream.openedOk())
        return {};

    const auto size = static_cast<int64_t> (stream.getTotalLength());
    char sizeBytes[8];
    for (size_t i = 0; i < sizeof (sizeBytes); ++i)
        sizeBytes[i] = static_cast<char> ((static_cast<uint64_t> (size) >> (8 * i)) & 0xff);
    auto hash = fnv1a (sizeBytes, sizeof (sizeBytes), 0xcbf29ce484222325ull);

    std::vector<char> buffer (static_cast<size_t> (fingerprintSpan));
    auto add = [&] (int64_t start, int64_t length)
    {
        if (length <= 0)
            return true;
        if (! stream.setPosition (start) || stream.read (buffer.data(), static_cast<int> (length)) != length)
            return false;
        hash = fnv1a (buffer.data(), static_cast<size_t> (length), hash);
        return true;
    };
    const auto headLength = std::min (size, fingerprintSpan);
    const auto tailStart = std::max (headLength, size - fingerprintSpan);
    if (! add (0, headLength) || ! add (tailStart, size - tailStart))
        return {};
    return juce::String::toHexString (static_cast<juce::int64> (hash)).paddedLeft ('0', 16).toStdString();
}

void readTags (const juce::StringPairArray& metadata, TrackRecord& track)
{
    auto first = [&metadata] (const char* wavKey, const char* oggKey)
    {
        for (auto* key : { wavKey, oggKey })
            if (const auto value = metadata.getValue (key, {}).trim(); value.isNotEmpty())
                return value.toStdString();
        return std::string();
    };
    track.title = first (juce::WavAudioFormat::riffInfoTitle, juce::OggVorbisAudioFormat::id3title);
    track.artist = first (juce::WavAudioFormat::riffInfoArtist, juce::OggVorbisAudioFormat::id3artist);
    track.album = first (juce::WavAudioFormat::riffInfoProductName, juce::OggVorbisAudioFormat::id3album);
    track.genre = first (juce::WavAudioFormat::riffInfoGenre, juce::OggVorbisAudioFormat::id3genre);
}

ScanResult scan (Catalog& catalog, const std::vector<std::string>& paths, const ScanOptions& options)
{
    return ScanRun (catalog, options).run (paths);
}

} // namespace earshot::CatalogScanner
