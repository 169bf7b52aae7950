print("spikeloop")
