package dev.clipengine.cli;

import dev.clipengine.BadInputException;
import dev.clipengine.data.WordVectors;
import dev.clipengine.model.ClipModel;
import dev.clipengine.model.MlpConfig;
import dev.clipengine.model.ModelConfig;
import dev.clipengine.model.Vocabulary;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A new model whose token embeddings start from pre-trained word vectors (the card's step [2]). */
final class PretrainedWords {

    private PretrainedWords() {
    }

    /**
     * The config with the file's vocabulary and dimension; row k+1 of the embedding is the file's
     * word k, row 0 ({@code <unk>}) keeps its random start.
     *
     * @param vocabSize the vocabulary's size including {@code <unk>}, or 0 for every usable word
     */
    static ClipModel initialize(ModelConfig config, Path file, int vocabSize, long seed) {
        if (!(config instanceof MlpConfig shape)) {
            throw new BadInputException("--word-vectors gives the card's models their word vectors; a transformer "
                    + "learns its token embeddings");
        }
        if (vocabSize == 1) {
            throw new BadInputException("--vocab-size must be at least 2 (<unk> and one word)");
        }
        // only words the tokenizer can produce are useful: the first vocabSize - 1 of them are read, no more
        WordVectors vectors = WordVectors.readForTokenizer(file, Math.max(vocabSize - 1, 0));
        if (vectors.count() == 0) {
            throw new BadInputException(file + ": no word made of the letters a-z and digits 0-9");
        }
        List<String> words = new ArrayList<>();
        words.add(Vocabulary.UNKNOWN);
        words.addAll(vectors.words());
        ModelConfig withWords = shape.toBuilder().vocabSize(words.size()).wordDim(vectors.dim()).build();
        ClipModel model = ClipModel.initialize(withWords, new Vocabulary(words), seed);
        float[] table = model.tensor(ClipModel.TOKEN_EMBEDDING).data();
        System.arraycopy(vectors.vectors(), 0, table, vectors.dim(), vectors.count() * vectors.dim());
        return model;
    }
}
