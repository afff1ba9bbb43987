package dev.clipengine.model;

import dev.clipengine.BadInputException;
import dev.clipengine.data.Resampling;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The shape of a transformer CLIP, the architecture of OpenAI's CLIP ViT models and open_clip's
 * {@code ViT-*} models: a vision transformer over image patches and a causal text transformer,
 * each pooled to one token and projected into the shared space (docs/model.md). The keys are
 * open_clip's {@code model_cfg} plus {@code family}, {@code tokenizer} and {@code preprocess}.
 *
 * @param quickGelu QuickGELU {@code x sigmoid(1.702 x)} (OpenAI's weights) rather than GELU with erf
 * @param tokenizer {@code words} (the card's word tokenizer, framed by {@code <start>} and
 *                  {@code <end>}) or {@code clip-bpe} (CLIP's byte-pair tokenizer)
 */
public record TransformerConfig(int embedDim, boolean quickGelu, Vision vision, Text text, String tokenizer,
                                PixelNormalization preprocess) implements ModelConfig {

    public static final String FAMILY = "transformer";
    public static final String WORDS = "words";
    public static final String CLIP_BPE = "clip-bpe";

    /**
     * The image tower: {@code image_size} square RGB images cut into {@code patch_size} patches,
     * {@code layers} residual blocks of {@code width}, heads of {@code head_width}.
     */
    public record Vision(int imageSize, int patchSize, int width, int layers, int headWidth, double mlpRatio) {

        public Vision {
            positive("vision_cfg.image_size", imageSize);
            positive("vision_cfg.patch_size", patchSize);
            positive("vision_cfg.width", width);
            positive("vision_cfg.layers", layers);
            positive("vision_cfg.head_width", headWidth);
            ratio("vision_cfg.mlp_ratio", mlpRatio);
            if (imageSize % patchSize != 0) {
                throw new BadInputException("model config: vision_cfg.image_size " + imageSize
                        + " is not a multiple of patch_size " + patchSize);
            }
            if (width % headWidth != 0) {
                throw new BadInputException("model config: vision_cfg.width " + width
                        + " is not a multiple of head_width " + headWidth);
            }
        }

        public int heads() {
            return width / headWidth;
        }

        /** Patches plus the class token. */
        public int tokens() {
            int side = imageSize / patchSize;
            return side * side + 1;
        }

        /** open_clip's {@code int(width * mlp_ratio)}. */
        public int mlpWidth() {
            return (int) (width * mlpRatio);
        }
    }

    /** The text tower: {@code context_length} positions, {@code layers} causal blocks of {@code width}. */
    public record Text(int contextLength, int vocabSize, int width, int heads, int layers, double mlpRatio) {

        public Text {
            positive("text_cfg.context_length", contextLength);
            positive("text_cfg.vocab_size", vocabSize);
            positive("text_cfg.width", width);
            positive("text_cfg.heads", heads);
            positive("text_cfg.layers", layers);
            ratio("text_cfg.mlp_ratio", mlpRatio);
            if (width % heads != 0) {
                throw new BadInputException("model config: text_cfg.width " + width + " is not a multiple of heads "
                        + heads);
            }
        }

        public int headWidth() {
            return width / heads;
        }

        public int mlpWidth() {
            return (int) (width * mlpRatio);
        }
    }

    public TransformerConfig {
        positive("embed_dim", embedDim);
        if (!WORDS.equals(tokenizer) && !CLIP_BPE.equals(tokenizer)) {
            throw new BadInputException("model config: tokenizer must be \"" + WORDS + "\" or \"" + CLIP_BPE
                    + "\", got \"" + tokenizer + "\"");
        }
        if (WORDS.equals(tokenizer) && text.contextLength() < 3) {
            throw new BadInputException("model config: text_cfg.context_length must be at least 3 with the word "
                    + "tokenizer (<start>, a word, <end>), got " + text.contextLength());
        }
        long largest = Math.max((long) text.vocabSize() * text.width(),
                (long) Math.max(vision.mlpWidth(), text.mlpWidth()) * Math.max(vision.width(), text.width()));
        if (largest > Integer.MAX_VALUE / 2 || vision.mlpWidth() < 1 || text.mlpWidth() < 1) {
            throw new BadInputException("model config: a weight matrix would hold " + largest
                    + " elements, more than a Java array can");
        }
    }

    /**
     * The built-in transformer configs ({@link ModelConfig#BUILT_IN}), or null for another name.
     * All use the word tokenizer and OpenAI's pixel statistics; the vocabulary comes from the data.
     */
    public static TransformerConfig builtIn(String name, int vocabSize) {
        return switch (name) {
            // the built-in shapes: 32x32 RGB in 16 patches of 8x8, four narrow layers for images (two held
            // out a few points fewer over seeds), two for captions of up to 14 words (positions past a
            // batch's longest caption cost nothing)
            case "vit-tiny" -> words(64, new Vision(32, 8, 64, 4, 32, 4.0), new Text(16, vocabSize, 64, 2, 2, 4.0));
            // Fashion-MNIST: 28x28 (grey repeated in 3 channels) in 16 patches of 7x7
            case "vit-fashion" -> words(64, new Vision(28, 7, 64, 3, 32, 4.0), new Text(16, vocabSize, 64, 2, 2, 4.0));
            // fixed: the speed figures are measured on it
            case "vit-bench" -> words(128, new Vision(32, 4, 256, 4, 64, 4.0), new Text(16, vocabSize, 256, 4, 4, 4.0));
            case "ViT-B-32" -> words(512, new Vision(224, 32, 768, 12, 64, 4.0), new Text(77, vocabSize, 512, 8, 12, 4.0));
            case "ViT-B-16" -> words(512, new Vision(224, 16, 768, 12, 64, 4.0), new Text(77, vocabSize, 512, 8, 12, 4.0));
            default -> null;
        };
    }

    private static TransformerConfig words(int embedDim, Vision vision, Text text) {
        return new TransformerConfig(embedDim, true, vision, text, WORDS, PixelNormalization.OPENAI);
    }

    /** The word tokenizer frames captions with {@code <start>} and {@code <end>}: they end the vocabulary. */
    @Override
    public Vocabulary vocabularyFor(Vocabulary words) {
        return WORDS.equals(tokenizer) ? words.withFraming() : words;
    }

    @Override
    public int imageSize() {
        return vision.imageSize();
    }

    @Override
    public int patchSize() {
        return vision.patchSize();
    }

    @Override
    public int channels() {
        return 3;
    }

    @Override
    public int vocabSize() {
        return text.vocabSize();
    }

    /** Words a caption keeps: the context less {@code <start>} and {@code <end>}. */
    @Override
    public int maxTokens() {
        return WORDS.equals(tokenizer) ? text.contextLength() - 2 : text.contextLength();
    }

    @Override
    public int tokensPerCaption() {
        return text.contextLength();
    }

    @Override
    public boolean normalize() {
        return true;
    }

    @Override
    public boolean learnableScale() {
        return true;
    }

    /** Pillow's bicubic, byte for byte, as OpenAI's {@code Resize(BICUBIC)} and {@code CenterCrop}. */
    @Override
    public Resampling resampling() {
        return Resampling.PILLOW_BICUBIC;
    }

    @Override
    public PixelNormalization pixelNormalization() {
        return preprocess;
    }

    @Override
    public TransformerConfig withVocabSize(int size) {
        return new TransformerConfig(embedDim, quickGelu, vision,
                new Text(text.contextLength(), size, text.width(), text.heads(), text.layers(), text.mlpRatio()),
                tokenizer, preprocess);
    }

    @Override
    public Map<String, int[]> tensorShapes() {
        return TransformerTensors.shapes(this);
    }

    @Override
    public Map<String, Object> toMap() {
        Map<String, Object> visionMap = new LinkedHashMap<>();
        visionMap.put("image_size", vision.imageSize());
        visionMap.put("patch_size", vision.patchSize());
        visionMap.put("width", vision.width());
        visionMap.put("layers", vision.layers());
        visionMap.put("head_width", vision.headWidth());
        visionMap.put("mlp_ratio", vision.mlpRatio());
        Map<String, Object> textMap = new LinkedHashMap<>();
        textMap.put("context_length", text.contextLength());
        textMap.put("vocab_size", text.vocabSize());
        textMap.put("width", text.width());
        textMap.put("heads", text.heads());
        textMap.put("layers", text.layers());
        textMap.put("mlp_ratio", text.mlpRatio());
        Map<String, Object> preprocessMap = new LinkedHashMap<>();
        preprocessMap.put("mean", floats(preprocess.mean()));
        preprocessMap.put("std", floats(preprocess.std()));
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("family", FAMILY);
        map.put("embed_dim", embedDim);
        map.put("quick_gelu", quickGelu);
        map.put("vision_cfg", visionMap);
        map.put("text_cfg", textMap);
        map.put("tokenizer", tokenizer);
        map.put("preprocess", preprocessMap);
        return map;
    }

    private static List<Double> floats(float[] values) {
        // as the shortest decimal of the float, so the JSON reads back to the same float
        return java.util.stream.IntStream.range(0, values.length)
                .mapToObj(i -> Double.parseDouble(Float.toString(values[i]))).toList();
    }

    /**
     * The {@code mlp_ratio} of an MLP {@code mlpWidth} wide in a tower {@code width} wide, as close
     * to {@code mlpWidth / width} as lets open_clip's {@code int(width * ratio)} give back
     * {@code mlpWidth} (a ratio such as 4.9231 is not exact in binary).
     */
    public static double mlpRatio(int mlpWidth, int width) {
        double ratio = (double) mlpWidth / width;
        while ((int) (width * ratio) < mlpWidth) {
            ratio = Math.nextUp(ratio);
        }
        return ratio;
    }

    private static void positive(String key, int value) {
        if (value < 1 || value > MAX_DIM) {
            throw new BadInputException("model config: " + key + " must be in 1.." + MAX_DIM + ", got " + value);
        }
    }

    private static void ratio(String key, double value) {
        if (!(value > 0) || value > 64) {
            throw new BadInputException("model config: " + key + " must be in (0, 64], got " + value);
        }
    }
}
