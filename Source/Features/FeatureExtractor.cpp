#include "Features/FeatureExtractor.h"

#include "Features/Descriptors.h"
#include "Features/FastMath.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace earshot
{
namespace
{
float toDb (double gain) noexcept
{
    return gain > 0.0 ? static_cast<float> (20.0 * std::log10 (gain)) : FeatureFrame::noLevel;
}

// How often the live summary in the snapshot is refreshed.
constexpr double liveSummaryIntervalSeconds = 0.5;
} // namespace

FeatureExtractor::FeatureExtractor (FeatureSettings newSettings)
    : settings (newSettings)
{
}

void FeatureExtractor::prepare (const StreamFormat& format)
{
    sampleRate = format.sampleRate;
    numChannels = std::clamp (format.numChannels, 1, Snapshot::maxChannels);
    fftSize = Spectrum::fftSizeFor (sampleRate);
    hopSize = fftSize / 4;
    frameRate = sampleRate / hopSize;

    using F = FeatureFamily;
    computed = settings.families.withDependencies();
    const auto has = [this] (FeatureFamily family) { return computed.contains (family); };
    needsFft = has (F::spectrum) || has (F::harmony) || has (F::rhythm);
    // The level of each hop: the levels family's frame values, and what tells silent
    // frames apart (spectrum and harmony summarise only frames that are not silent;
    // structure finds the silences).
    needsHopLevel = has (F::levels) || has (F::spectrum) || has (F::harmony) || has (F::structure);

    if (has (F::loudness))
        loudness.prepare (sampleRate, numChannels);
    hopStereo.reset();
    totalStereo.reset();
    if (needsFft)
        spectrum.prepare (fftSize);
    if (has (F::harmony))
    {
        mfcc.prepare (sampleRate, fftSize);
        chroma.prepare (sampleRate, fftSize);
    }
    if (has (F::rhythm))
    {
        onsetDetector.prepare (sampleRate, fftSize, frameRate);
        tempo.limitHistory (settings.historySeconds);
        tempo.prepare (frameRate);
    }
    key.reset();
    if (has (F::structure))
    {
        silence.prepare (settings.silenceThresholdDbfs, settings.minSilenceSeconds, frameRate);
        segments.prepare (frameRate, settings.segmentWindowSeconds, settings.minSegmentSeconds);
    }
    wholeSummary.reset (frameRate, 0.0);
    liveSummary.reset (frameRate, settings.liveSummaryHalfLifeSeconds);

    const auto fftSamples = needsFft ? static_cast<size_t> (fftSize) : 0;
    history.assign (fftSamples, 0.0f);
    window.assign (fftSamples, 0.0f);
    previousMagnitudes.assign (has (F::spectrum) ? static_cast<size_t> (spectrum.getNumBins()) : 0, 0.0f);
    historyWrite = 0;
    samplesIntoHop = 0;
    samplesSeen = frameIndex = 0;
    hopSquares = 0.0;
    hopPeak = hopTruePeak = 0.0f;
    hopHadInvalidInput = false;
    framesSinceLiveSummary = 0;
    loudnessRefreshFrames = std::max (1, static_cast<int> (std::round (0.1 * frameRate)));
    momentary = shortTerm = FeatureFrame::noLevel;

    // About 10 minutes' worth, so a typical track never reallocates on the analysis thread.
    onsets.clear();
    onsets.reserve (has (F::rhythm) ? 4096 : 0);
    boundaries.clear();
    boundaries.reserve (has (F::structure) ? 256 : 0);
    silences.clear();
    silences.reserve (has (F::structure) ? 256 : 0);
}

void FeatureExtractor::process (const AudioBlock& block, AnalysisContext& context)
{
    const auto channels = std::min (block.getNumChannels(), numChannels);
    const auto numSamples = block.getNumSamples();
    if (channels <= 0)
        return;

    const float* pointers[Snapshot::maxChannels] {};
    hopHadInvalidInput = hopHadInvalidInput || block.hadInvalidSamples();

    for (int position = 0; position < numSamples;)
    {
        // Never cross a hop boundary: frames then do not depend on block sizes.
        const auto count = std::min (numSamples - position, hopSize - samplesIntoHop);

        for (int c = 0; c < channels; ++c)
            pointers[c] = block.getReadPointer (c) + position;

        if (computed.contains (FeatureFamily::loudness))
        {
            loudness.process (pointers, count);
            hopTruePeak = std::max (hopTruePeak, loudness.lastTruePeakGain());
        }
        if (computed.contains (FeatureFamily::stereo))
        {
            const auto* right = pointers[channels > 1 ? 1 : 0];
            hopStereo.process (pointers[0], right, count);
            totalStereo.process (pointers[0], right, count);
        }

        // Level of the hop: an explicit SIMD reduction per channel.
        for (int c = 0; needsHopLevel && c < channels; ++c)
        {
            const auto* x = pointers[c];
            double squares = 0.0;
#pragma omp simd reduction(+ : squares)
            for (int i = 0; i < count; ++i)
                squares += static_cast<double> (x[i]) * static_cast<double> (x[i]);
            hopSquares += squares;
            // JUCE's SIMD min/max: as an `omp simd` max reduction GCC 12 keeps the running
            // maximum in memory, a store and a reload per vector.
            const auto range = juce::FloatVectorOperations::findMinAndMax (x, count);
            hopPeak = std::max ({ hopPeak, range.getEnd(), -range.getStart() });
        }

        // Downmix into the history ring in contiguous runs, channel by channel (the
        // same order of additions per sample as summing across channels).
        const auto scale = 1.0f / static_cast<float> (channels);
        for (int done = 0; needsFft && done < count;)
        {
            const auto run =
                static_cast<int> (std::min<size_t> (static_cast<size_t> (count - done), history.size() - historyWrite));
            auto* mono = history.data() + historyWrite;
            std::copy (pointers[0] + done, pointers[0] + done + run, mono);
            for (int c = 1; c < channels; ++c)
            {
                const auto* x = pointers[c] + done;
#pragma omp simd
                for (int i = 0; i < run; ++i)
                    mono[i] += x[i];
            }
            if (channels > 1)
            {
#pragma omp simd
                for (int i = 0; i < run; ++i)
                    mono[i] *= scale;
            }
            done += run;
            historyWrite = (historyWrite + static_cast<size_t> (run)) % history.size();
        }

        position += count;
        samplesIntoHop += count;
        samplesSeen += count;

        if (samplesIntoHop == hopSize)
        {
            emitFrame (context);
            samplesIntoHop = 0;
            hopHadInvalidInput = block.hadInvalidSamples() && position < numSamples;
        }
    }
}

void FeatureExtractor::computeSpectralShape (FeatureFrame& frame) noexcept
{
    const auto* magnitudes = spectrum.magnitudes();
    const auto numBins = spectrum.getNumBins();
    const auto binHz = static_cast<float> (sampleRate / fftSize);

    // Explicit SIMD reductions: the compiler may not reorder float sums by itself.
    // The order is fixed at compile time, so the result is still reproducible.
    const auto* previous = previousMagnitudes.data();
    const auto start = 1; // DC says nothing about timbre
    float magnitudeSum = 0.0f, weightedBins = 0.0f, powerSum = 0.0f, logPowerSum = 0.0f, fluxSum = 0.0f;
#pragma omp simd reduction(+ : magnitudeSum, weightedBins, powerSum, logPowerSum, fluxSum)
    for (int k = start; k < numBins; ++k)
    {
        const auto m = magnitudes[k];
        const auto rise = std::max (m - previous[k], 0.0f);
        magnitudeSum += m;
        weightedBins += m * static_cast<float> (k);
        powerSum += m * m;
        logPowerSum += fastLog2 (m * m + 1e-12f);
        fluxSum += rise * rise;
    }
    std::copy (magnitudes, magnitudes + numBins, previousMagnitudes.begin());

    frame.spectralFlux = std::sqrt (fluxSum);

    if (magnitudeSum <= 1e-9f)
        return; // silence: centroid, spread, rolloff and flatness stay 0

    const auto centroidBin = weightedBins / magnitudeSum;
    float spread = 0.0f;
#pragma omp simd reduction(+ : spread)
    for (int k = start; k < numBins; ++k)
    {
        const auto distance = static_cast<float> (k) - centroidBin;
        spread += magnitudes[k] * distance * distance;
    }
    float cumulative = 0.0f;
    int rolloffBin = numBins - 1;
    for (int k = start; k < numBins; ++k)
    {
        cumulative += magnitudes[k];
        if (cumulative >= 0.85f * magnitudeSum)
        {
            rolloffBin = k;
            break;
        }
    }

    const auto bins = static_cast<float> (numBins - start);
    frame.spectralCentroidHz = centroidBin * binHz;
    frame.spectralSpreadHz = std::sqrt (spread / magnitudeSum) * binHz;
    frame.spectralRolloffHz = static_cast<float> (rolloffBin) * binHz;
    // Geometric over arithmetic mean of the power spectrum.
    frame.spectralFlatness = std::clamp (std::exp2 (logPowerSum / bins) / (powerSum / bins), 0.0f, 1.0f);
}

void FeatureExtractor::emitFrame (AnalysisContext& context)
{
    using F = FeatureFamily;
    FeatureFrame frame;
    frame.index = frameIndex++;
    frame.endSample = samplesSeen;
    frame.timeSeconds = static_cast<double> (samplesSeen) / sampleRate;
    frame.hadInvalidInput = hopHadInvalidInput;

    if (computed.contains (F::loudness))
    {
        // libebur128 sums its whole window on every query (3 s for short-term), so the
        // meters are refreshed at 10 Hz, as EBU R128 asks, not every hop. The frames
        // chosen depend only on the frame index: live still equals offline.
        if (frame.index % loudnessRefreshFrames == 0)
        {
            momentary = loudness.momentaryLufs();
            shortTerm = loudness.shortTermLufs();
        }
        frame.momentaryLufs = momentary;
        frame.shortTermLufs = shortTerm;
        frame.truePeakDbtp = toDb (hopTruePeak);
        hopTruePeak = 0.0f;
    }
    if (needsHopLevel)
    {
        frame.rmsDbfs = toDb (std::sqrt (hopSquares / (static_cast<double> (hopSize) * numChannels)));
        frame.peakDbfs = toDb (hopPeak);
        frame.isSilent = ! (frame.rmsDbfs >= settings.silenceThresholdDbfs);
        hopSquares = 0.0;
        hopPeak = 0.0f;
    }

    if (needsFft)
    {
        // The window, oldest sample first.
        const auto split = static_cast<std::ptrdiff_t> (historyWrite);
        std::copy (history.begin() + split, history.end(), window.begin());
        std::copy (history.begin(), history.begin() + split, window.end() - split);
        spectrum.analyse (window.data());
    }

    if (computed.contains (F::spectrum))
    {
        int crossings = 0;
        for (size_t i = 1; i < window.size(); ++i)
            crossings += (window[i - 1] < 0.0f) != (window[i] < 0.0f) ? 1 : 0;
        frame.zeroCrossingRate = static_cast<float> (crossings) / static_cast<float> (window.size() - 1);
        computeSpectralShape (frame);
    }
    if (computed.contains (F::harmony))
    {
        mfcc.compute (spectrum.magnitudes(), frame.mfcc);
        chroma.compute (spectrum.magnitudes(), frame.chroma);
    }

    if (computed.contains (F::rhythm))
    {
        frame.onsetStrength = onsetDetector.process (spectrum.magnitudes());
        frame.isOnset = onsetDetector.onsetDetected();
        if (frame.isOnset)
            onsets.push_back (
                Onsets::timeOfFrame (static_cast<double> (frame.index - onsetDetector.latencyFrames()), frameRate));
        tempo.addOdf (frame.onsetStrength);
    }

    if (computed.contains (F::stereo))
    {
        const auto image = hopStereo.image();
        hopStereo.reset();
        frame.stereoCorrelation = image.correlation;
        frame.stereoWidth = image.width;
        frame.stereoBalance = image.balance;
    }

    if (computed.contains (F::structure))
        detectSilence (frame, context);

    if (! frame.isSilent && computed.containsAny (FeatureFamilies::none().with (F::spectrum).with (F::harmony)))
    {
        if (computed.contains (F::harmony))
            key.addChroma (frame.chroma, 1.0f);
        wholeSummary.add (frame);
        liveSummary.add (frame);
    }

    // Every frame, silent ones too: music after silence is a boundary worth finding.
    if (computed.contains (F::structure))
    {
        const auto boundary = segments.process (frame);
        if (boundary >= 0)
        {
            boundaries.push_back (static_cast<double> (boundary + 1) * hopSize / sampleRate);
            context.post ({ EngineEvent::Kind::segmentBoundary, boundaries.back(), 0.0, -1 });
        }
    }

    auto& snapshot = context.snapshot();
    snapshot.frame = frame;
    if (++framesSinceLiveSummary >= static_cast<int> (liveSummaryIntervalSeconds * frameRate))
    {
        framesSinceLiveSummary = 0;
        fillSummary (snapshot.summary, snapshot, computed.contains (F::rhythm) ? tempo.current() : TempoEstimate {},
                     key.estimate(), liveSummary);
    }

    if (settings.historySeconds > 0.0)
        forgetBefore (frame.timeSeconds - settings.historySeconds);

    if (frameListener)
        frameListener (frame);
}

void FeatureExtractor::forgetBefore (double seconds)
{
    // Erasing from the front keeps each vector's capacity: once the history is full,
    // nothing more is allocated.
    const auto older = [seconds] (double time) { return time < seconds; };
    onsets.erase (onsets.begin(), std::find_if_not (onsets.begin(), onsets.end(), older));
    boundaries.erase (boundaries.begin(), std::find_if_not (boundaries.begin(), boundaries.end(), older));
    silences.erase (silences.begin(),
                    std::find_if_not (silences.begin(), silences.end(),
                                      [&] (const SilentRegion& region) { return older (region.endSeconds); }));
}

void FeatureExtractor::detectSilence (const FeatureFrame& frame, AnalysisContext& context)
{
    switch (silence.process (frame.rmsDbfs))
    {
        case Silence::Change::started:
        {
            const auto start = static_cast<double> (silence.startFrame()) / frameRate;
            silences.push_back ({ start, start });
            context.post ({ EngineEvent::Kind::silenceStarted, start, frame.timeSeconds - start, -1 });
            break;
        }
        case Silence::Change::ended:
            if (! silences.empty())
            {
                silences.back().endSeconds = frame.timeSeconds;
                context.post ({ EngineEvent::Kind::silenceEnded, frame.timeSeconds,
                                frame.timeSeconds - silences.back().startSeconds, -1 });
            }
            break;
        case Silence::Change::none:
            break;
    }
    if (silence.isInSilence() && ! silences.empty())
        silences.back().endSeconds = frame.timeSeconds;
}

void FeatureExtractor::fillSummary (TrackSummary& summary, const Snapshot& levels, const TempoEstimate& tempoEstimate,
                                    const KeyEstimate& keyEstimate, const SummaryAccumulator& accumulator) const
{
    using F = FeatureFamily;
    summary.durationSeconds = static_cast<double> (samplesSeen) / sampleRate;
    summary.sampleRate = sampleRate;
    summary.numChannels = numChannels;

    if (computed.contains (F::loudness))
    {
        summary.integratedLufs = loudness.integratedLufs();
        summary.loudnessRangeLu = loudness.loudnessRangeLu();
        summary.truePeakDbtp = loudness.truePeakDbtp();
    }

    if (computed.contains (F::levels))
    {
        double squares = 0.0;
        float peak = FeatureFrame::noLevel, dc = 0.0f;
        uint64_t clipped = 0;
        for (int c = 0; c < std::min (levels.numChannels, Snapshot::maxChannels); ++c)
        {
            const auto& level = levels.levels[static_cast<size_t> (c)];
            if (std::isfinite (level.overallRmsDb))
                squares += std::pow (10.0, level.overallRmsDb / 10.0);
            peak = std::max (peak, level.overallPeakDb);
            clipped += level.clippedSamples;
            if (std::abs (level.dcOffset) > std::abs (dc))
                dc = level.dcOffset;
        }
        summary.rmsDbfs = levels.numChannels > 0 && squares > 0.0 ? toDb (std::sqrt (squares / levels.numChannels))
                                                                  : FeatureFrame::noLevel;
        summary.samplePeakDbfs = peak;
        summary.crestFactorDb = std::isfinite (peak) && std::isfinite (summary.rmsDbfs) ? peak - summary.rmsDbfs : 0.0f;
        summary.dcOffset = dc;
        summary.clippedSamples = clipped;
    }

    if (computed.containsAny (FeatureFamilies::none().with (F::spectrum).with (F::harmony)))
        accumulator.writeTo (summary);
    if (computed.contains (F::harmony))
    {
        summary.keyTonic = keyEstimate.tonic;
        summary.keyIsMinor = keyEstimate.isMinor;
        summary.keyConfidence = keyEstimate.confidence;
    }
    if (computed.contains (F::rhythm))
    {
        summary.tempoBpm = tempoEstimate.bpm;
        summary.tempoConfidence = tempoEstimate.confidence;
        summary.onsetRate = static_cast<float> (onsetDetector.onsetRate());
    }

    if (computed.contains (F::stereo))
    {
        const auto image = totalStereo.image();
        summary.stereoCorrelation = image.correlation;
        summary.stereoWidth = image.width;
        summary.stereoBalance = image.balance;
    }
    if (computed.contains (F::structure))
        summary.silentSeconds = static_cast<double> (silence.silentFrames()) / frameRate;

    if (computed.contains (F::descriptors))
        Descriptors::compute (summary);
}

TempoEstimate FeatureExtractor::wholeTempo() const
{
    return computed.contains (FeatureFamily::rhythm) ? tempo.whole() : TempoEstimate {};
}

TrackSummary FeatureExtractor::summariseWhole (const Snapshot& levels, const TempoEstimate& wholeStreamTempo) const
{
    TrackSummary summary;
    fillSummary (summary, levels, wholeStreamTempo, key.estimate(), wholeSummary);
    return summary;
}

} // namespace earshot
