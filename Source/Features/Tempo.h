#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace earshot
{

/** A tempo in BPM with how sure the estimator is (0..1), and beat times.

    bpm is 0 (and confidence 0) when there is no tempo: silence, steady sounds, a
    single onset, or less than about 4.5 s of audio. confidence is the normalised
    autocorrelation of the prepared ODF (smoothed, locally centred, rectified) at
    the beat period: the share of the onset pattern that repeats one beat later.
    Click tracks and steady drum loops read 0.75 .. 1; steady white noise about
    0.1 over a 10 s window and less over longer streams. Below about 0.25 the bpm
    is a guess.
*/
struct TempoEstimate
{
    float bpm = 0.0f;
    float confidence = 0.0f;
    /** Beat times in seconds since the stream began (whole() only). */
    std::vector<double> beatTimes;
};

/** Tempo from an onset detection function (one value per frame), robust against
    half/double-tempo errors. current() looks at the recent window (live), whole()
    at the whole stream (files).

    The beat period is picked from the autocorrelation of the ODF over 40..240 BPM.
    Each lag is scored by its autocorrelation, times a log-Gaussian preference for
    tempi near 120 BPM (one octave wide), times a penalty when the ODF repeats
    about as strongly at half or a third of that lag: then the lag is a bar or
    half-bar of a faster, evenly accented beat (a click track at 180 BPM also
    repeats at 90). A beat only weakly subdivided (hi-hats between kicks) keeps
    its score, so such patterns are not counted in eighths. Beats are tracked by
    dynamic programming (Ellis 2007) at the estimated period.

    Cost: addOdf() re-estimates current() every 0.5 s of audio, ~25 us each (about
    0.005 % of real time); whole() takes ~10 ms for a 10-minute stream.

    Thread: one instance per analysis thread. addOdf() appends to the history:
    the whole stream by default (files: about 200 kB per 10 minutes, amortised
    allocation), or with limitHistory() the last stretch of it in memory reserved
    up front (a live stream that runs for days).
*/
class Tempo final
{
public:
    static constexpr double minBpm = 40.0;
    static constexpr double maxBpm = 240.0;
    /** current() describes this much of the most recent ODF. */
    static constexpr double windowSeconds = 10.0;

    /** Clears the history and allocates the working memory of current() (and the
        whole history, when it is limited). Not the audio thread. */
    void prepare (double frameRate);

    /** Keeps only the last `seconds` of the stream for whole() (0: all of it, the
        default). With a limit, addOdf() stops allocating once the history is full
        and memory stays at twice the limit. Takes effect at the next prepare(). */
    void limitHistory (double seconds) { historySeconds = seconds; }

    /** Appends the next frame's ODF value (Onsets::process()). Values below 0.01,
        Onsets' floor for the frame-to-frame wobble of steady sounds, count as 0.
        Analysis thread. */
    void addOdf (float value);

    /** The estimate over the last windowSeconds, as of its latest update (at most
        0.5 s of audio old); beatTimes stays empty. Analysis thread. */
    TempoEstimate current() const;

    /** Estimates tempo and beat times from the whole history (the last
        limitHistory() seconds of it when limited; beat times still count from the
        stream's start). Allocates; linear in the history's length. Analysis thread,
        or any thread once addOdf() is no longer being called. */
    TempoEstimate whole() const;

private:
    double frameRate = 86.0;
    int windowFrames = 0, updateFrames = 1;
    double historySeconds = 0.0;
    size_t historyFrames = 0; // 0: unlimited
    int64_t framesAdded = 0, framesForgotten = 0;
    std::vector<float> odf; // frames framesForgotten .. framesAdded - 1
    TempoEstimate latest;
    std::vector<float> smoothedScratch, centredScratch; // working memory of current()
    std::vector<double> autocorrelation;
};

} // namespace earshot
