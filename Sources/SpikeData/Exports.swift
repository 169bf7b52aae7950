// The data readers throw `DatasetError` (defined in SpikeCore beside the validation layer, so that SpikeAudio
// shares it without depending on SpikeData): re-export it with the readers.
@_exported import SpikeCore
