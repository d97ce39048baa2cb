#pragma once

#include "Analysis/EngineEvent.h"
#include "Analysis/Snapshot.h"
#include "Realtime/AudioBlock.h"

namespace earshot
{

/** What a stage can reach while it processes a block. */
class AnalysisContext
{
public:
    virtual ~AnalysisContext() = default;

    /** The snapshot being built; published after the current batch of blocks. */
    virtual Snapshot& snapshot() noexcept = 0;

    /** Queues an event for the UI. Never blocks; counts the event as lost when the queue is full. */
    virtual void post (const EngineEvent& event) noexcept = 0;
};

/** One step of the analysis pipeline (levels, features, recommendation, analytics, ads).

    Stages run in the order they were added, on the engine's analysis thread, and
    see every block the audio thread managed to push, in order. A stage that needs
    slow work (a database, the network) hands it to its own worker from here.
*/
class AnalysisStage
{
public:
    virtual ~AnalysisStage() = default;

    /** Called while the analysis thread is stopped, before the first block of a
        stream and whenever the format changes. May allocate. */
    virtual void prepare (const StreamFormat& format) = 0;

    /** Analyses one block. Analysis thread. Should not allocate in steady state. */
    virtual void process (const AudioBlock& block, AnalysisContext& context) = 0;
};

} // namespace earshot
