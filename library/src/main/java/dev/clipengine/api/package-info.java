/**
 * clip-engine as a library: load a CLIP model, embed images and texts into unit vectors, compare
 * them, and label images zero-shot.
 *
 * <pre>{@code
 * try (ClipEngine clip = ClipEngine.open(Path.of("ViT-B-32.safetensors"))) {
 *     float[] photo = clip.embedImage(Path.of("cat.jpg"));
 *     float[] text = clip.embedText("a photo of a cat");
 *     double cosine = Similarity.cosine(photo, text);
 *     ZeroShotClassifier animals = clip.classifier(List.of("cat", "dog", "bird"));
 *     LabelScore best = animals.classify(photo).getFirst();
 * }
 * }</pre>
 *
 * <p>{@link dev.clipengine.api.ClipEngine} is the entry point; it is thread-safe and must be
 * closed. Everything this package's public types take and return is of this package or of the
 * JDK: the engine's other packages are its implementation and may change without notice.
 */
package dev.clipengine.api;
