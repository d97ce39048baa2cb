#include "Features/FeatureExtractor.h"

#include "Features/Descriptors.h"

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

/** log2 for positive normal floats, within 2e-4: the exponent from the bits, a
    least-squares quartic for the mantissa. Flatness needs a log per bin per frame; the library
    log costs more than the FFT. Deterministic, so live still equals offline. */
float fastLog2 (float x) noexcept
{
    uint32_t bits;
    std::memcpy (&bits, &x, sizeof (bits));
    const auto exponent = static_cast<float> (static_cast<int> ((bits >> 23) & 0xff) - 127);
    bits = (bits & 0x007fffffu) | 0x3f800000u; // mantissa in [1, 2)
    float m;
    std::memcpy (&m, &bits, sizeof (m));
    return exponent + (((-0.0791538f * m + 0.6288414f) * m - 2.0811285f) * m + 4.0284505f) * m - 2.4968058f;
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

    loudness.prepare (sampleRate, numChannels);
    hopStereo.reset();
    totalStereo.reset();
    spectrum.prepare (fftSize);
    mfcc.prepare (sampleRate, fftSize);
    chroma.prepare (sampleRate, fftSize);
    onsetDetector.prepare (sampleRate, fftSize, frameRate);
    tempo.prepare (frameRate);
    key.reset();
    silence.prepare (settings.silenceThresholdDbfs, settings.minSilenceSeconds, frameRate);
    segments.prepare (frameRate, settings.segmentWindowSeconds, settings.minSegmentSeconds);
    wholeSummary.reset (frameRate, 0.0);
    liveSummary.reset (frameRate, settings.liveSummaryHalfLifeSeconds);

    history.assign (static_cast<size_t> (fftSize), 0.0f);
    window.assign (static_cast<size_t> (fftSize), 0.0f);
    previousMagnitudes.assign (static_cast<size_t> (spectrum.getNumBins()), 0.0f);
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
    onsets.reserve (4096);
    boundaries.clear();
    boundaries.reserve (256);
    silences.clear();
    silences.reserve (256);
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

        loudness.process (pointers, count);
        hopTruePeak = std::max (hopTruePeak, loudness.lastTruePeakGain());
        const auto* right = pointers[channels > 1 ? 1 : 0];
        hopStereo.process (pointers[0], right, count);
        totalStereo.process (pointers[0], right, count);

        const auto scale = 1.0f / static_cast<float> (channels);
        for (int i = 0; i < count; ++i)
        {
            float sum = 0.0f;
            for (int c = 0; c < channels; ++c)
            {
                const auto sample = pointers[c][i];
                sum += sample;
                hopSquares += static_cast<double> (sample) * sample;
                hopPeak = std::max (hopPeak, std::abs (sample));
            }
            history[historyWrite] = sum * scale;
            historyWrite = historyWrite + 1 == history.size() ? 0 : historyWrite + 1;
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

    // Eight independent partial sums per quantity: the compiler turns the loop into
    // SIMD without -ffast-math, and the order of additions (so the result) is fixed.
    constexpr int lanes = 8;
    float sum[lanes] {}, weighted[lanes] {}, power[lanes] {}, logPower[lanes] {}, flux[lanes] {};
    const auto* previous = previousMagnitudes.data();
    const auto start = 1; // DC says nothing about timbre
    const auto whole = start + (numBins - start) / lanes * lanes;
    for (int k = start; k < whole; k += lanes)
    {
        for (int j = 0; j < lanes; ++j)
        {
            const auto m = magnitudes[k + j];
            const auto rise = std::max (m - previous[k + j], 0.0f);
            sum[j] += m;
            weighted[j] += m * static_cast<float> (k + j);
            power[j] += m * m;
            logPower[j] += fastLog2 (m * m + 1e-12f);
            flux[j] += rise * rise;
        }
    }
    for (int k = whole; k < numBins; ++k)
    {
        const auto m = magnitudes[k];
        const auto rise = std::max (m - previous[k], 0.0f);
        sum[0] += m;
        weighted[0] += m * static_cast<float> (k);
        power[0] += m * m;
        logPower[0] += fastLog2 (m * m + 1e-12f);
        flux[0] += rise * rise;
    }
    std::copy (magnitudes, magnitudes + numBins, previousMagnitudes.begin());

    double magnitudeSum = 0.0, weightedBins = 0.0, powerSum = 0.0, logPowerSum = 0.0, fluxSum = 0.0;
    for (int j = 0; j < lanes; ++j)
    {
        magnitudeSum += sum[j];
        weightedBins += weighted[j];
        powerSum += power[j];
        logPowerSum += logPower[j];
        fluxSum += flux[j];
    }
    frame.spectralFlux = static_cast<float> (std::sqrt (fluxSum));

    if (magnitudeSum <= 1e-9)
        return; // silence: centroid, spread, rolloff and flatness stay 0

    const auto centroidBin = weightedBins / magnitudeSum;
    double spread = 0.0, cumulative = 0.0;
    int rolloffBin = numBins - 1;
    for (int k = start; k < numBins; ++k)
    {
        const auto distance = k - centroidBin;
        spread += magnitudes[k] * distance * distance;
    }
    for (int k = start; k < numBins; ++k)
    {
        cumulative += magnitudes[k];
        if (cumulative >= 0.85 * magnitudeSum)
        {
            rolloffBin = k;
            break;
        }
    }

    const auto bins = static_cast<double> (numBins - start);
    frame.spectralCentroidHz = static_cast<float> (centroidBin * binHz);
    frame.spectralSpreadHz = static_cast<float> (std::sqrt (spread / magnitudeSum) * binHz);
    frame.spectralRolloffHz = static_cast<float> (rolloffBin) * binHz;
    // Geometric over arithmetic mean of the power spectrum.
    frame.spectralFlatness =
        static_cast<float> (std::clamp (std::exp2 (logPowerSum / bins) / (powerSum / bins), 0.0, 1.0));
}

void FeatureExtractor::emitFrame (AnalysisContext& context)
{
    FeatureFrame frame;
    frame.index = frameIndex++;
    frame.endSample = samplesSeen;
    frame.timeSeconds = static_cast<double> (samplesSeen) / sampleRate;
    frame.hadInvalidInput = hopHadInvalidInput;

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
    frame.rmsDbfs = toDb (std::sqrt (hopSquares / (static_cast<double> (hopSize) * numChannels)));
    frame.peakDbfs = toDb (hopPeak);
    frame.truePeakDbtp = toDb (hopTruePeak);
    hopSquares = 0.0;
    hopPeak = hopTruePeak = 0.0f;

    // The window, oldest sample first.
    const auto split = static_cast<std::ptrdiff_t> (historyWrite);
    std::copy (history.begin() + split, history.end(), window.begin());
    std::copy (history.begin(), history.begin() + split, window.end() - split);

    int crossings = 0;
    for (size_t i = 1; i < window.size(); ++i)
        crossings += (window[i - 1] < 0.0f) != (window[i] < 0.0f) ? 1 : 0;
    frame.zeroCrossingRate = static_cast<float> (crossings) / static_cast<float> (window.size() - 1);

    spectrum.analyse (window.data());
    computeSpectralShape (frame);
    mfcc.compute (spectrum.magnitudes(), frame.mfcc);
    chroma.compute (spectrum.magnitudes(), frame.chroma);

    frame.onsetStrength = onsetDetector.process (spectrum.magnitudes());
    frame.isOnset = onsetDetector.onsetDetected();
    if (frame.isOnset)
        onsets.push_back (static_cast<double> (frame.index - onsetDetector.latencyFrames()) / frameRate);
    tempo.addOdf (frame.onsetStrength);

    const auto image = hopStereo.image();
    hopStereo.reset();
    frame.stereoCorrelation = image.correlation;
    frame.stereoWidth = image.width;
    frame.stereoBalance = image.balance;

    frame.isSilent = ! (frame.rmsDbfs >= settings.silenceThresholdDbfs);
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

    if (! frame.isSilent)
    {
        key.addChroma (frame.chroma, 1.0f);
        wholeSummary.add (frame);
        liveSummary.add (frame);
    }

    // Every frame, silent ones too: music after silence is a boundary worth finding.
    const auto boundary = segments.process (frame);
    if (boundary >= 0)
    {
        boundaries.push_back (static_cast<double> (boundary + 1) * hopSize / sampleRate);
        context.post ({ EngineEvent::Kind::segmentBoundary, boundaries.back(), 0.0, -1 });
    }

    auto& snapshot = context.snapshot();
    snapshot.frame = frame;
    if (++framesSinceLiveSummary >= static_cast<int> (liveSummaryIntervalSeconds * frameRate))
    {
        framesSinceLiveSummary = 0;
        fillSummary (snapshot.summary, snapshot, tempo.current(), key.estimate(), liveSummary);
    }

    if (frameListener)
        frameListener (frame);
}

void FeatureExtractor::fillSummary (TrackSummary& summary, const Snapshot& levels, const TempoEstimate& tempoEstimate,
                                    const KeyEstimate& keyEstimate, const SummaryAccumulator& accumulator) const
{
    summary.durationSeconds = static_cast<double> (samplesSeen) / sampleRate;
    summary.sampleRate = sampleRate;
    summary.numChannels = numChannels;

    summary.integratedLufs = loudness.integratedLufs();
    summary.loudnessRangeLu = loudness.loudnessRangeLu();
    summary.truePeakDbtp = loudness.truePeakDbtp();

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

    accumulator.writeTo (summary);
    summary.keyTonic = keyEstimate.tonic;
    summary.keyIsMinor = keyEstimate.isMinor;
    summary.keyConfidence = keyEstimate.confidence;
    summary.tempoBpm = tempoEstimate.bpm;
    summary.tempoConfidence = tempoEstimate.confidence;
    summary.onsetRate = static_cast<float> (onsetDetector.onsetRate());

    const auto image = totalStereo.image();
    summary.stereoCorrelation = image.correlation;
    summary.stereoWidth = image.width;
    summary.stereoBalance = image.balance;
    summary.silentSeconds = static_cast<double> (silence.silentFrames()) / frameRate;

    Descriptors::compute (summary);
}

TrackSummary FeatureExtractor::summariseWhole (const Snapshot& levels) const
{
    TrackSummary summary;
    fillSummary (summary, levels, tempo.whole(), key.estimate(), wholeSummary);
    return summary;
}

} // namespace earshot
