#pragma once

#include "Recommend/Catalog.h"

#include <juce_audio_formats/juce_audio_formats.h>

#include <atomic>
#include <functional>
#include <string>
#include <vector>

namespace earshot
{

/** How far a scan has got. */
struct ScanProgress
{
    /** Files dealt with (analysed, skipped as unchanged, or found unreadable) of those found. */
    int filesDone = 0, filesTotal = 0;
    /** Seconds of audio analysed so far, and how many per second of scanning. */
    double audioSeconds = 0.0, realtimeFactor = 0.0;
    double elapsedSeconds = 0.0;
    /** Seconds still to go, from the bytes still to analyse; negative until a file is done. */
    double etaSeconds = -1.0;
};

/** A file the scan could not catalogue, and why (one line, no file name). */
struct UnreadableFile
{
    std::string path, reason;
};

struct ScanResult
{
    /** New paths analysed; changed files analysed again; files recognised by their
        fingerprint as a catalogued track whose old path is gone (not analysed again,
        and their history kept); files whose size and mtime had not changed. */
    int added = 0, updated = 0, moved = 0, unchanged = 0;
    /** In path order. */
    std::vector<UnreadableFile> unreadable;
    /** Audio analysed (skipped and moved files not counted), and the scan's wall time. */
    double audioSeconds = 0.0, elapsedSeconds = 0.0;
    /** The cancel flag stopped the scan before every file was dealt with. */
    bool cancelled = false;
    /** Why the catalog refused a write (the scan stops there), or empty. */
    std::string error;

    int catalogued() const noexcept { return added + updated + moved; }
};

struct ScanOptions
{
    /** Files analysed at once; 0 for one per core. */
    int jobs = 0;
    /** Called on the scanning thread after each file (and once when the files are found). */
    std::function<void (const ScanProgress&)> progress;
    /** Checked between files (set it from a signal handler: it is lock-free): files being
        analysed are finished and written, no others started. nullptr: never cancelled. */
    const std::atomic<bool>* cancel = nullptr;
};

/** Brings the catalog up to date with audio files on disk (`earshot catalog add`).

    Paths are walked recursively for .wav .aif .aiff .flac .ogg .mp3 (case-insensitive;
    hidden files and folders are skipped, symlinks followed unless they make a cycle);
    a file named explicitly is tried whatever its extension. A file whose path, size and
    mtime match its catalogued track is skipped without being read. The others are read
    on `jobs` worker threads (each with its own AudioFormatManager) and analysed with
    OfflineAnalyzer; the scanning thread writes each finished track in a transaction of
    its own, so a crash or a kill loses at most the files being analysed, and the next
    scan resumes with them.

    Tags come from AudioFormatReader::metadataValues where JUCE's reader provides them:
      WAV (RIFF INFO)    title INAM, artist IART, album IPRD, genre GENR
      Ogg Vorbis         title id3title, artist id3artist, album id3album, genre id3genre
                         (JUCE's names for the TITLE, ARTIST, ALBUM, GENRE comments)
      FLAC, MP3, AIFF    none: JUCE's readers do not expose their tags.
*/
namespace CatalogScanner
{
/** The audio files under `paths` (files and folders, absolute or relative to the
        working directory), absolute, sorted and without duplicates; paths that do not
        exist are added to `missing`. Stops early (returning what it found) if `cancel`
        is set. Any thread. */
std::vector<juce::File> findAudioFiles (const std::vector<std::string>& paths, std::vector<UnreadableFile>& missing,
                                        const std::atomic<bool>* cancel = nullptr);

/** The content fingerprint stored with each track: FNV-1a (64-bit) over the file size
        (8 bytes, little-endian), the first 64 KiB and the last 64 KiB (the whole file if
        smaller than 128 KiB), as 16 lowercase hex digits. Cheap, yet it changes with the
        header, the length and both ends of the audio; it recognises a moved file, but does
        not prove two files equal, so a changed mtime still means a re-analysis.
        @returns empty if the file cannot be read. Any thread. */
std::string fingerprint (const juce::File& file);

/** Reads title, artist, album and genre from `metadata` (see above) into `track`. Any thread. */
void readTags (const juce::StringPairArray& metadata, TrackRecord& track);

/** Scans `paths` into `catalog`. Call on the thread that owns `catalog`; it blocks
        until the scan is done or cancelled. */
ScanResult scan (Catalog& catalog, const std::vector<std::string>& paths, const ScanOptions& options);
} // namespace CatalogScanner

} // namespace earshot
