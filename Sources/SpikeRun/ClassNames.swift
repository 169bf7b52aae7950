import SpikeAudio

/// Human-readable class names of the built-in datasets, for reports (the label numbers alone say little on
/// Fashion-MNIST or spoken digits).
public enum ClassNames {
    /// Fashion-MNIST's labels 0–9 (Xiao et al. 2017, arXiv:1708.07747).
    public static let fashionMNIST = [
        "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
    ]

    /// The names of `dataset`'s `classes` labels, or `[]` when the label number is the name (MNIST digits, the
    /// synthetic task) or the dataset is not known. SHD-format spoken digits (SHD itself and the generated
    /// spoken-digits corpus) share the 20 labels English zero–nine, German null–neun.
    public static func names(dataset: String, classes: Int) -> [String] {
        switch dataset {
        case "fashion-mnist" where classes == fashionMNIST.count: return fashionMNIST
        case "shd" where classes == SpokenDigitsCorpus.classNames.count: return SpokenDigitsCorpus.classNames
        default: return []
        }
    }

    /// `"3 Dress"` when the name is known, else `"3"`.
    public static func label(_ k: Int, names: [String]) -> String {
        k >= 0 && k < names.count ? "\(k) \(names[k])" : "\(k)"
    }
}
