"""Tests of LongTailClassifier: data handling, losses, samplers, composition."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import builtins
import copy
import functools
import multiprocessing
import pickle
import signal
import threading
import warnings
import weakref

import numpy as np
import pytest
from scipy import sparse

torch = pytest.importorskip("torch")
pytest.importorskip("skorch")

from sklearn.base import clone  # noqa: E402
from sklearn.datasets import make_classification  # noqa: E402
from sklearn.exceptions import NotFittedError  # noqa: E402
from sklearn.frozen import FrozenEstimator  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.metrics import (  # noqa: E402
    average_precision_score,
    balanced_accuracy_score,
    make_scorer,
)
from sklearn.model_selection import GridSearchCV  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402
from sklearn.utils.validation import check_is_fitted  # noqa: E402
from skorch.callbacks import (  # noqa: E402
    BatchScoring,
    Callback,
    Checkpoint,
    EarlyStopping,
    EpochScoring,
    LRScheduler,
    PrintLog,
    ProgressBar,
)
from skorch.dataset import Dataset, ValidSplit  # noqa: E402
from skorch.helper import SliceDict, predefined_split  # noqa: E402
from torch.utils.data import DataLoader, TensorDataset  # noqa: E402

from ltlearn.deep import (  # noqa: E402
    LongTailClassifier,
    TruncatedReweighting,
    VSTLALoss,
)
from ltlearn.deep._net_build import _LOSSES  # noqa: E402
from ltlearn.deep._net_outputs import _stack_batches  # noqa: E402
from ltlearn.deep._net_training import _COUNTED_BY_FIT  # noqa: E402
from ltlearn.deep.callbacks import (  # noqa: E402
    ClassifierRetraining,
    DeferredResampling,
    DeferredReweighting,
    TauNormalization,
)
from ltlearn.deep.losses import (  # noqa: E402
    ClassBalancedLoss,
    FocalLoss,
    KPSLoss,
    LDAMLoss,
    LogitAdjustedLoss,
    VSLoss,
)
from ltlearn.deep.modules import MLP, NormedLinear, SmallCNN  # noqa: E402
from ltlearn.deep.samplers import ClassBalancedSampler, SliceLoader  # noqa: E402
from ltlearn.post_hoc import (  # noqa: E402
    LogitAdjustedClassifier,
    PluginClassifier,
    ThresholdMovingClassifier,
)

LOSSES = list(_LOSSES)  # every criterion the classifier takes by name
SAMPLERS = ["instance", "class_balanced", "square_root", "progressive"]
FAST = dict(max_epochs=2, batch_size=32, module__hidden_sizes=(16,), random_state=0)


@pytest.fixture(scope="module")
def data():
    """240 rows, 5 features, 3 classes of 168/48/24 samples."""
    X, y = make_classification(
        n_samples=240,
        n_features=5,
        n_informative=4,
        n_redundant=0,
        n_classes=3,
        n_clusters_per_class=1,
        weights=[0.7, 0.2, 0.1],
        class_sep=2.0,
        flip_y=0,
        random_state=0,
    )
    return X, y


@pytest.mark.parametrize("loss", LOSSES)
def test_every_loss_gives_labels_and_probabilities(data, loss):
    X, y = data
    labels = np.array(["cat", "dog", "emu"], dtype=object)
    clf = LongTailClassifier(criterion=loss, **FAST).fit(X, labels[y])
    proba = clf.predict_proba(X)
    assert proba.shape == (len(X), 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-5)
    assert (proba >= 0).all()
    np.testing.assert_array_equal(clf.predict(X), labels[proba.argmax(axis=1)])
    np.testing.assert_array_equal(clf.classes_, labels)
    np.testing.assert_array_equal(clf.class_counts_, np.bincount(y))


@pytest.mark.parametrize("loss", ["ldam", "kps"])
def test_margin_losses_get_a_cosine_head_and_scaled_probabilities(data, loss):
    X, y = data
    clf = LongTailClassifier(criterion=loss, **FAST).fit(X, y)
    assert isinstance(clf.module_.classifier, NormedLinear)
    logits = clf.forward(X.astype(np.float32))
    expected = torch.softmax(clf.criterion_.s * logits, dim=1).numpy()
    np.testing.assert_allclose(clf.predict_proba(X), expected, rtol=1e-5)
    linear = LongTailClassifier(criterion=loss, module__head="linear", **FAST)
    with pytest.warns(UserWarning, match="expects cosine logits"):
        linear.fit(X, y)
    assert isinstance(linear.module_.classifier, torch.nn.Linear)


class _SoftmaxOutput(torch.nn.Module):
    """A module that gives probabilities, as skorch's NLLLoss expects."""

    def __init__(self, n_features, n_classes):
        super().__init__()
        self.linear = torch.nn.Linear(n_features, n_classes)

    def forward(self, x):
        return torch.softmax(self.linear(x), dim=-1)


def _same_probabilities(output):
    """A ``predict_nonlinearity`` that keeps the module's probabilities."""
    return output


def test_nll_loss_keeps_the_probabilities_of_the_module(data):
    # skorch's convention: with NLLLoss the module gives probabilities, and
    # predict_proba returns them as they are (a softmax would flatten them).
    X, y = data
    clf = LongTailClassifier(
        _SoftmaxOutput, criterion=torch.nn.NLLLoss, max_epochs=2, random_state=0
    )
    clf.fit(X, y)
    expected = clf.forward(X.astype(np.float32)).numpy()
    np.testing.assert_allclose(clf.predict_proba(X), expected, rtol=1e-6)


@pytest.mark.parametrize("criterion", ["ce", "focal", "logit_adjusted"])
def test_a_loss_of_logits_given_probabilities_warns(data, criterion):
    # skorch's modules end in a softmax, for its default NLLLoss; with a loss
    # of logits such a module trained on a softmax of its probabilities,
    # silently, and predict_proba gave them flattened towards the uniform.
    X, y = data
    quick = dict(max_epochs=2, batch_size=32, random_state=0)
    clf = LongTailClassifier(_SoftmaxOutput, criterion=criterion, **quick)
    flattened = "trains on those probabilities as logits, and predict_proba gives"
    with pytest.warns(UserWarning, match=f"module gives probabilities.*{flattened}"):
        clf.fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        LongTailClassifier(_SoftmaxOutput, criterion=torch.nn.NLLLoss, **quick).fit(
            X, y
        )
        LongTailClassifier(criterion=criterion, **FAST).fit(X, y)
    assert "_outputs_unchecked" not in vars(clf)


@pytest.mark.parametrize("nonlinearity", [None, _same_probabilities])
def test_the_probabilities_warning_leaves_predict_proba_out_unless_auto(
    data, nonlinearity
):
    # predict_proba applies no softmax of its own here: it gives the
    # module's probabilities, not flattened ones, and the warning said it did.
    X, y = data
    clf = LongTailClassifier(
        _SoftmaxOutput, predict_nonlinearity=nonlinearity, max_epochs=1, random_state=0
    )
    with pytest.warns(UserWarning, match="trains on those probabilities as") as record:
        clf.fit(X, y)
    assert not any("predict_proba" in str(w.message) for w in record)


def test_sizes_of_the_module_are_learned_from_the_data(data):
    X, y = data
    clf = LongTailClassifier(**FAST).fit(X, y)
    assert clf.module_.body[0].in_features == 5
    assert clf.module_.classifier.out_features == 3
    assert clf.n_features_in_ == 5
    assert clf.input_shape_ == (5,)


def test_module_parameters_reach_the_module(data):
    X, y = data
    clf = LongTailClassifier(
        max_epochs=1, module__hidden_sizes=(7, 5), module__dropout=0.1
    ).fit(X, y)
    widths = [m.out_features for m in clf.module_.body if hasattr(m, "out_features")]
    assert widths == [7, 5]


def test_a_module_instance_is_used_as_is(data):
    X, y = data
    module = MLP(5, 3, hidden_sizes=(4,))
    clf = LongTailClassifier(module, max_epochs=1, random_state=0).fit(X, y)
    assert clf.module_ is module
    # A module with more outputs than classes trained with "ce" and then gave
    # five probability columns for three classes, and an IndexError at predict.
    clf = LongTailClassifier(MLP(5, 5), max_epochs=1, random_state=0).fit(X, y)
    for method in (clf.predict_proba, clf.predict):
        with pytest.raises(ValueError, match=r"shape \(5,\) per sample; .* 3 classes"):
            method(X)


def test_image_shaped_input_with_a_cnn():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 1, 8, 8)).astype(np.float32)
    y = np.arange(60) % 3
    clf = LongTailClassifier(SmallCNN, module__channels=(4,), max_epochs=1).fit(X, y)
    assert clf.input_shape_ == (1, 8, 8)
    assert clf.module_.input_shape_ == (1, 8, 8)
    assert clf.predict(X).shape == (60,)
    with pytest.raises(ValueError, match=r"fitted on samples of shape \(1, 8, 8\)"):
        clf.predict(X.reshape(60, 1, 4, 16))
    # A single image, or flattened images, were refused with "X has 8
    # features, but LongTailClassifier is expecting 1 features as input"
    # (scikit-learn's check of X.shape[1], the channels); a warm fit too.
    single = r"X has shape \(1, 8, 8\), .*\(n_samples, 1, 8, 8\)\. Use X\[np\.newaxis\]"
    flat = r"X has shape \(60, 64\), but .* fitted on samples of shape \(1, 8, 8\)"
    for method in (clf.predict, clf.predict_proba, clf.transform):
        with pytest.raises(ValueError, match=single):
            method(X[0])
        with pytest.raises(ValueError, match=flat):
            method(X.reshape(60, -1))
        assert method(X[:1]).shape[0] == 1
    # A list of flattened images, and images of other channels, were refused
    # by their count of features too ("X has 64 features", "X has 3 features").
    with pytest.raises(ValueError, match=r"X has shape \(2, 64\), but "):
        clf.predict(list(X[:2].reshape(2, -1)))
    assert clf.predict(list(X[:2])).shape == (2,)
    rgb = r"samples of shape \(3, 8, 8\), but .* fitted on samples of shape \(1, 8"
    with pytest.raises(ValueError, match=rgb):
        clf.predict(np.repeat(X[:2], 3, axis=1))
    with pytest.raises(ValueError, match=flat):
        clf.set_params(warm_start=True).fit(X.reshape(60, -1), y)
    with pytest.raises(ValueError, match=rgb):
        clf.partial_fit(np.repeat(X, 3, axis=1), y)


def test_a_ragged_list_of_images_gets_numpys_reason():
    """A list of images of several shapes has no shape to compare: NumPy names it."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 1, 8, 8)).astype(np.float32)
    clf = LongTailClassifier(SmallCNN, module__channels=(4,), max_epochs=1)
    clf.fit(X, np.arange(30) % 3)
    with pytest.raises(ValueError, match="inhomogeneous shape"):
        clf.predict([X[0], X[1, :, :4]])


@pytest.mark.parametrize("loss", ["ldam", "logit_adjusted"])
def test_a_loss_class_or_instance_can_be_given(data, loss):
    X, y = data
    clf = LongTailClassifier(criterion=LDAMLoss, criterion__s=5.0, **FAST).fit(X, y)
    assert isinstance(clf.criterion_, LDAMLoss) and clf.criterion_.s == 5.0
    np.testing.assert_array_equal(clf.criterion_.class_counts.numpy(), np.bincount(y))
    focal = FocalLoss(gamma=3.0)
    clf = LongTailClassifier(criterion=focal, **FAST).fit(X, y)
    assert clf.criterion_ is focal


def test_loss_parameters_reach_the_loss_and_grid_search_tunes_them(data):
    X, y = data
    clf = LongTailClassifier(criterion="logit_adjusted", criterion__tau=0.5, **FAST)
    assert clf.fit(X, y).criterion_.tau == 0.5
    grid = GridSearchCV(
        clf,
        {"criterion__tau": [0.0, 1.0], "criterion": ["logit_adjusted", "vs"]},
        cv=2,
        scoring="balanced_accuracy",
    ).fit(X, y)
    assert grid.best_params_["criterion__tau"] in (0.0, 1.0)
    assert grid.best_estimator_.criterion_.tau == grid.best_params_["criterion__tau"]


def test_set_params_on_a_fitted_classifier_rebuilds_the_loss(data):
    X, y = data
    clf = LongTailClassifier(criterion="logit_adjusted", **FAST).fit(X, y)
    optimizer = clf.optimizer_
    clf.set_params(criterion__tau=2.0)
    assert clf.criterion_.tau == 2.0
    assert clf.optimizer_ is not optimizer  # as skorch does for criterion__*
    other = LongTailClassifier(**FAST).fit(X, y)
    other.set_params(criterion="focal", criterion__gamma=3.0)
    assert isinstance(other.criterion_, FocalLoss) and other.criterion_.gamma == 3.0
    clf.set_params(sampler="class_balanced")
    with pytest.warns(UserWarning, match="compensated twice"):  # LA + balanced
        clf.fit(X, y)
    assert type(clf.train_sampler_.sampler) is ClassBalancedSampler


def test_set_params_of_the_parameter_groups_rebuilds_the_optimizer(data):
    # skorch wrote the groups into each group of the running optimiser as an
    # option, and partial_fit trained with the groups of before.
    X, y = data
    clf = LongTailClassifier(
        optimizer=torch.optim.SGD, optimizer__weight_decay=0.1, **FAST
    ).fit(X, y)
    clf.set_params(optimizer__param_groups=[("classifier.*", {"weight_decay": 0.0})])
    groups = clf.optimizer_.param_groups
    assert [(len(g["params"]), g["weight_decay"]) for g in groups] == [
        (2, 0.0),
        (2, 0.1),
    ]
    assert not any("param_groups" in group for group in groups)
    clf.partial_fit(X, y)
    assert clf.optimizer_.param_groups[0]["weight_decay"] == 0.0


def _fitted_and_resumed(data, scheduler, params, resume):
    """Fit with ``scheduler``, ``set_params(**params)``, then ``resume(clf)``."""
    X, y = data
    clf = LongTailClassifier(
        optimizer=torch.optim.SGD, callbacks=[clone(scheduler)], **FAST
    ).fit(X, y)
    clf.set_params(**params)
    resume(clf, X, y)
    return clf


def _partial_fit_twice(clf, X, y):
    clf.partial_fit(X, y).partial_fit(X, y)


@pytest.mark.parametrize(
    "params",
    [
        {"optimizer": torch.optim.SGD},
        {"optimizer__param_groups": [("classifier.*", {"weight_decay": 0.0})]},
        {"criterion__weight": torch.ones(3)},
    ],
)
@pytest.mark.parametrize("warm", [False, True])
def test_an_optimizer_rebuilt_on_a_fitted_classifier_resumes_its_lr_schedule(
    data, params, warm
):
    # skorch's LRScheduler resumes at the epochs of history, where torch
    # reads each group's initial_lr, which the rebuilt optimiser lacked:
    # partial_fit and a warm start failed with a KeyError.
    def resume(clf, X, y):
        if warm:
            clf.set_params(warm_start=True).fit(X, y)
        else:
            clf.partial_fit(X, y)

    scheduler = LRScheduler("LambdaLR", lr_lambda=lambda epoch: 0.5**epoch)
    fits = [
        [group["lr"] for group in clf.optimizer_.param_groups]
        for clf in (
            _fitted_and_resumed(data, scheduler, {}, resume),
            _fitted_and_resumed(data, scheduler, params, resume),
        )
    ]
    assert set(fits[1]) == set(fits[0])
    assert fits[1][0] == pytest.approx(LongTailClassifier().lr * 0.5**4)


@pytest.mark.parametrize(
    "scheduler, same",
    [
        (LRScheduler("LambdaLR", lr_lambda=lambda epoch: 0.5**epoch), True),
        (LRScheduler("StepLR", step_size=1, gamma=0.5), False),
    ],
)
def test_a_rebuilt_optimizer_resumes_the_lr_of_each_epoch_as_documented(
    data, scheduler, same
):
    # A schedule computed from the epoch gives each epoch's lr as without
    # the rebuild; one that steps the current lr goes on from the new
    # optimiser's lr (these failed with a KeyError before).
    lrs = [
        _fitted_and_resumed(data, scheduler, params, _partial_fit_twice).history[
            :, "event_lr"
        ]
        for params in ({}, {"optimizer": torch.optim.SGD})
    ]
    lr = LongTailClassifier().lr
    assert lrs[1][:2] == lrs[0][:2] == pytest.approx([lr, lr * 0.5])
    if same:
        assert lrs[1] == pytest.approx(lrs[0])
    else:
        # the two halvings of the first fit's epochs are lost, for good
        assert np.divide(lrs[1][2:], lrs[0][2:]) == pytest.approx(4.0)


def test_in_a_pipeline_after_a_scaler(data):
    X, y = data
    pipe = make_pipeline(StandardScaler(), LongTailClassifier(**FAST)).fit(X * 100, y)
    assert pipe.predict(X * 100).shape == (len(X),)
    assert pipe.predict_proba(X * 100).shape == (len(X), 3)


def test_pandas_input_and_feature_names(data):
    pd = pytest.importorskip("pandas")
    X, y = data
    X_df = pd.DataFrame(X, columns=[f"f{i}" for i in range(5)])
    y_series = pd.Series(np.array(["a", "b", "c"])[y])
    clf = LongTailClassifier(**FAST).fit(X_df, y_series)
    np.testing.assert_array_equal(clf.feature_names_in_, X_df.columns)
    assert set(clf.predict(X_df)) <= {"a", "b", "c"}


def test_read_only_input_predicts_without_a_torch_warning(data):
    # Read-only arrays (a memory map, a pandas frame's values under copy on
    # write) made torch warn of "undefined behavior" at predict and transform.
    X, y = data
    clf = LongTailClassifier(**FAST).fit(X, y)
    X_read_only = X.astype(np.float32)
    X_read_only.setflags(write=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        proba = clf.predict_proba(X_read_only)
        features = clf.transform(X_read_only)
    np.testing.assert_array_equal(proba, clf.predict_proba(X))
    assert features.shape[0] == len(X)


def test_a_module_writing_into_its_input_leaves_the_callers_array(data):
    # The batches of predict were views of a float32 X: a first
    # nn.ReLU(inplace=True) set the negative values of the caller's X to 0,
    # where skorch's DataLoader gives it copies.
    X, y = data
    X = X.astype(np.float32)
    given = X.copy()

    class InPlaceFirst(torch.nn.Module):
        def __init__(self, n_features, n_classes):
            super().__init__()
            self.relu = torch.nn.ReLU(inplace=True)
            self.out = torch.nn.Linear(n_features, n_classes)

        def features(self, x):
            return self.relu(x)

        def forward(self, x):
            return self.out(self.features(x))

    params = {k: v for k, v in FAST.items() if not k.startswith("module__")}
    clf = LongTailClassifier(module=InPlaceFirst, train_split=None, **params)
    clf.fit(X, y).predict_proba(X)
    clf.transform(X)
    np.testing.assert_array_equal(X, given)


def test_skorch_scoring_callbacks_score_any_labels(data):
    # EpochScoring compared the encoded targets of its dataset with the
    # original labels from predict: 0 accuracy for labels 5 and 10, an error
    # for strings.
    X, y = data
    scores = []
    for labels in ([0, 1, 2], [5, 10, 20], ["a", "b", "c"]):
        clf = LongTailClassifier(
            train_split=ValidSplit(4, stratified=True),
            callbacks=[EpochScoring("accuracy", name="valid_acc")],
            **{**FAST, "max_epochs": 4},
        ).fit(X, np.array(labels)[y])
        scores.append(clf.history[:, "valid_acc"])
    assert scores[0] == scores[1] == scores[2] and scores[0][-1] > 0.6


@pytest.mark.parametrize("sampler", SAMPLERS)
def test_samplers_use_the_training_part_of_the_validation_split(data, sampler):
    X, y = data
    clf = LongTailClassifier(
        sampler=sampler, train_split=ValidSplit(4, stratified=True), **FAST
    ).fit(X, y)
    train_counts = np.bincount(y) - np.bincount(y) // 4
    np.testing.assert_array_equal(clf.class_counts_, train_counts)
    labels = clf.train_sampler_.sampler.labels.numpy()
    np.testing.assert_array_equal(np.bincount(labels), train_counts)
    n_batches = sum("train_loss" in batch for batch in clf.history[-1, "batches"])
    assert n_batches == int(np.ceil(train_counts.sum() / 32))
    assert "valid_bacc" in clf.history[-1]


@pytest.mark.parametrize("loss", ["ldam", "class_balanced", "logit_adjusted"])
def test_count_based_losses_use_the_training_part(data, loss):
    X, y = data
    clf = LongTailClassifier(
        criterion=loss, train_split=ValidSplit(4, stratified=True), **FAST
    ).fit(X, y)
    np.testing.assert_array_equal(
        clf.criterion_.class_counts.numpy(), clf.class_counts_
    )
    assert clf.class_counts_.sum() < len(y)


@pytest.mark.parametrize("sampler", ["instance", "class_balanced", "progressive"])
def test_fitted_sampler_holds_the_training_labels_once(data, sampler):
    # The sampler slot kept the training labels beside the sampler's own
    # copy: the pickle of a fitted classifier held them twice (16 bytes a
    # training row, where skorch's NeuralNetClassifier keeps none).
    X, y = data
    callbacks = [DeferredResampling(start_epoch=1, sampler="square_root")]
    for clf in (
        LongTailClassifier(sampler=sampler, **FAST).fit(X, y),
        LongTailClassifier(sampler=sampler, callbacks=callbacks, **FAST).fit(X, y),
    ):
        labels = clf.train_sampler_.sampler.labels
        assert len(pickle.dumps(clf.train_sampler_)) < 1.5 * labels.nbytes
        assert clf.train_sampler_.labels is labels
        np.testing.assert_array_equal(clf.classes_[labels.numpy()], y)


def test_progressive_sampler_follows_the_epochs(data):
    X, y = data
    clf = LongTailClassifier(sampler="progressive", **{**FAST, "max_epochs": 3}).fit(
        X, y
    )
    sampler = clf.train_sampler_.sampler
    assert sampler.n_epochs == 3 and sampler.epoch == 2
    # A warm-start fit starts its schedule again, as the callbacks do.
    clf.set_params(warm_start=True).fit(X, y)
    assert len(clf.history) == 6 and clf.train_sampler_.sampler.epoch == 2
    clf.set_params(warm_start=False)
    # max_epochs=0 (allowed, as in skorch) builds the network and trains none;
    # it raised "n_epochs must be >= 1" with this sampler.
    clf.set_params(max_epochs=0).fit(X, y)
    assert len(clf.history) == 0 and clf.predict(X).shape == y.shape


def test_a_sampler_callable_writing_into_its_labels_leaves_the_targets(data):
    # on the CPU it was given the training targets themselves: zeroing its
    # labels trained the network on class 0 alone (a training loss of 0)
    X, y = data

    def overwriting(labels):
        labels[:] = 0
        return torch.utils.data.RandomSampler(range(len(labels)))

    def reading(labels):
        return torch.utils.data.RandomSampler(range(len(labels)))

    fitted = [
        LongTailClassifier(sampler=sampler, **FAST).fit(X, y)
        for sampler in (overwriting, reading)
    ]
    np.testing.assert_array_equal(fitted[0].predict(X), fitted[1].predict(X))
    assert fitted[0].history[-1, "train_loss"] == fitted[1].history[-1, "train_loss"]


@pytest.mark.parametrize(
    "draw, match",
    [
        # a BatchSampler's lists indexed two-dimensional batches: a shape
        # error deep in the module
        (
            lambda labels: torch.utils.data.BatchSampler(
                torch.utils.data.SequentialSampler(labels), 4, False
            ),
            "one integer row number",
        ),
        # floats were cast to other rows (0.5 to row 0)
        (lambda labels: [0.5] * len(labels), "one integer row number"),
        # -1 took the last row, silently
        (lambda labels: [-1] * len(labels), "index -1, outside"),
        (lambda labels: list(range(len(labels) + 1)), "outside the"),
        # a generator drew nothing after the first epoch: epochs without a
        # step, silently
        (lambda labels: iter(range(len(labels))), "drew no index"),
        (lambda labels: [], "drew no index"),
    ],
)
@pytest.mark.parametrize("as_dataset", [False, True])
def test_a_sampler_callable_drawing_no_row_numbers_is_refused(
    data, draw, match, as_dataset
):
    X, y = data
    X = X.astype(np.float32)
    Xy = (Dataset(X, y), None) if as_dataset else (X, y)
    clf = LongTailClassifier(sampler=draw, **{**FAST, "max_epochs": 2})
    with pytest.raises(ValueError, match=match):
        clf.fit(*Xy)


@pytest.mark.parametrize("where", ["sampler", "callback"])
def test_a_weighted_random_sampler_class_as_sampler_is_refused(data, where):
    # torch's WeightedRandomSampler called as sampler(labels, num_samples=n)
    # took the labels as weights: class 0 was never drawn and the network
    # predicted no row as class 0, silently.
    X, y = data
    wrs = torch.utils.data.WeightedRandomSampler
    if where == "sampler":
        params = dict(sampler=wrs, sampler__num_samples=len(y))
    else:
        params = dict(callbacks=[DeferredResampling(sampler=wrs, start_epoch=1)])
    clf = LongTailClassifier(**params, **FAST)
    with pytest.raises(ValueError, match="never be drawn. Use sampler='class_bal"):
        clf.fit(X, y)


@pytest.mark.parametrize("where", ["sampler", "callback"])
@pytest.mark.parametrize(
    "sampler, match",
    [
        # read the labels as the row numbers: only rows 0 to 2 were drawn
        (torch.utils.data.SubsetRandomSampler, "row numbers to draw"),
        (
            functools.partial(torch.utils.data.WeightedRandomSampler, num_samples=9),
            "as its weights",
        ),
    ],
)
def test_a_torch_sampler_class_misreading_the_labels_is_refused(
    data, sampler, match, where
):
    X, y = data
    if where == "sampler":
        params = dict(sampler=sampler)
    else:
        params = dict(callbacks=[DeferredResampling(sampler=sampler, start_epoch=1)])
    clf = LongTailClassifier(**params, **FAST)
    with pytest.raises(ValueError, match=match):
        clf.initialize() if where == "callback" else clf.fit(X, y)


@pytest.mark.parametrize("where", ["sampler", "callback"])
def test_a_weighted_random_sampler_subclass_taking_the_labels_is_used(data, where):
    # a subclass that makes its weights from the labels is the user's sampler
    X, y = data
    drawn = []

    class BalancedSampler(torch.utils.data.WeightedRandomSampler):
        def __init__(self, labels):
            labels = np.asarray(labels)
            super().__init__(1.0 / np.bincount(labels)[labels], len(labels))

        def __iter__(self):
            rows = list(super().__iter__())
            drawn.extend(rows)
            return iter(rows)

    if where == "sampler":
        params = dict(sampler=BalancedSampler)
    else:
        params = dict(
            callbacks=[DeferredResampling(sampler=BalancedSampler, start_epoch=1)]
        )
    clf = LongTailClassifier(**params, **FAST).fit(X, y)
    assert isinstance(clf.train_sampler_.sampler, BalancedSampler)
    assert np.bincount(y[drawn]).min() > 0


def test_a_torch_sampler_instance_in_a_callback_points_to_a_callable(data):
    X, y = data
    wrs = torch.utils.data.WeightedRandomSampler(np.ones(len(y)), len(y))
    clf = LongTailClassifier(callbacks=[DeferredResampling(sampler=wrs)], **FAST)
    with pytest.raises(ValueError, match="give a callable that makes it from the"):
        clf.fit(X, y)


def test_a_torch_sampler_instance_as_sampler_points_to_iterator_train(data):
    # it was refused with the bare constraint ("must be a str among {...} or
    # a callable. Got <...WeightedRandomSampler object at 0x...> instead.")
    X, y = data
    weights = 1.0 / np.bincount(y)[y]
    wrs = torch.utils.data.WeightedRandomSampler(weights, len(y))
    clf = LongTailClassifier(sampler=wrs, **FAST)
    with pytest.raises(ValueError, match="instance. Give a sampler made for the"):
        clf.fit(X, y)
    # the advice works
    LongTailClassifier(iterator_train__sampler=wrs, **FAST).fit(X, y)


def test_class_balanced_sampler_balances_the_batches(data):
    X, y = data
    seen = []

    class Spy(torch.nn.Module):
        def forward(self, logits, target):
            seen.append(target.clone())
            return torch.nn.functional.cross_entropy(logits, target)

    LongTailClassifier(
        criterion=Spy(), sampler="class_balanced", max_epochs=3, random_state=0
    ).fit(X, y)
    drawn = np.bincount(torch.cat(seen).numpy(), minlength=3) / (3 * len(y))
    np.testing.assert_allclose(drawn, 1 / 3, atol=0.06)


def test_data_lacking_some_classes_train_on_the_codes_of_classes_(data):
    # The targets are the positions of the labels in classes_, all the
    # labels given or fitted, not in the labels that the data hold.
    X, y = data
    labels = np.array(["a", "b", "c"])[y]
    seen = []

    class Spy(torch.nn.Module):
        def forward(self, logits, target):
            seen.append(target.clone())
            return torch.nn.functional.cross_entropy(logits, target)

    clf = LongTailClassifier(criterion=Spy(), **FAST)
    no_a = labels != "a"
    clf.partial_fit(X[no_a], labels[no_a], classes=["a", "b", "c"])
    assert torch.cat(seen).unique().tolist() == [1, 2]
    seen.clear()
    no_b = labels != "b"
    clf.partial_fit(X[no_b], labels[no_b])
    assert torch.cat(seen).unique().tolist() == [0, 2]
    assert clf.classes_.tolist() == ["a", "b", "c"]


def test_iterator_overrides_and_a_dataloader_still_work(data):
    X, y = data
    clf = LongTailClassifier(
        iterator_train=DataLoader, iterator_valid=DataLoader, **FAST
    ).fit(X, y)
    assert clf.predict(X).shape == (len(X),)
    shuffled = LongTailClassifier(iterator_train__shuffle=True, **FAST).fit(X, y)
    assert not hasattr(shuffled, "train_sampler_")


def test_dataloader_options_fall_back_to_a_dataloader(data):
    # Options that only torch's DataLoader takes (skorch passes them on) must
    # not reach SliceLoader; the batches, hence the network, stay the same.
    X, y = data
    default = LongTailClassifier(sampler="square_root", **FAST).fit(X, y)
    clf = LongTailClassifier(
        sampler="square_root",
        iterator_train__num_workers=1,
        iterator_train__collate_fn=torch.utils.data.default_collate,
        iterator_valid__num_workers=0,
        iterator_valid__timeout=0,
        iterator_valid__worker_init_fn=None,
        **FAST,
    ).fit(X, y)
    np.testing.assert_array_equal(clf.predict_proba(X), default.predict_proba(X))
    assert isinstance(clf.get_iterator(clf.get_dataset(X, y), True), DataLoader)
    assert isinstance(clf.get_iterator(clf.get_dataset(X)), SliceLoader)


def test_dataloader_options_keep_the_shuffled_batches(data):
    # With iterator_train__shuffle=True, the DataLoader drew another order
    # than SliceLoader: a loading option changed the network.
    X, y = data
    params = dict(iterator_train__shuffle=True, **FAST)
    default = LongTailClassifier(**params).fit(X, y)
    clf = LongTailClassifier(
        iterator_train__collate_fn=torch.utils.data.default_collate, **params
    ).fit(X, y)
    assert isinstance(clf.get_iterator(clf.get_dataset(X, y), True), DataLoader)
    np.testing.assert_array_equal(clf.predict_proba(X), default.predict_proba(X))


def test_a_generator_option_draws_the_shuffled_order(data):
    # iterator_train__generator was ignored with iterator_train__shuffle=True:
    # the order came from torch's global generator, whatever its seed.
    X, y = data

    def proba(**params):
        generator = torch.Generator().manual_seed(1)
        clf = LongTailClassifier(
            iterator_train__shuffle=True,
            iterator_train__generator=generator,
            **params,
            **FAST,
        )
        return clf.fit(X, y).predict_proba(X)

    loader = proba(iterator_train=torch.utils.data.DataLoader)
    np.testing.assert_allclose(proba(), loader, rtol=1e-6)


def test_a_dataloader_shuffles_in_the_order_of_random_state(data):
    # A DataLoader shuffles with its own generator, seeded from random_state:
    # the same seed draws the same order, another seed another one.
    X, y = data

    def first_epoch(random_state):
        batches = _Batches()
        LongTailClassifier(
            iterator_train=DataLoader,
            iterator_train__shuffle=True,
            callbacks=[("batches", batches)],
            **{**FAST, "max_epochs": 1, "random_state": random_state},
        ).fit(X, y)
        return np.concatenate(batches.epochs[0][True])

    first, again, other = first_epoch(0), first_epoch(0), first_epoch(1)
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, other)
    np.testing.assert_array_equal(_rows([first]), _rows([other]))


def test_a_slice_loader_device_with_dataloader_options_is_refused(data):
    # DataLoader refused the device option of SliceLoader with a TypeError
    # naming neither the parameter nor the options that made it a DataLoader.
    X, y = data
    clf = LongTailClassifier(
        iterator_train__device="cpu", iterator_train__num_workers=1, **FAST
    )
    match = r"iterator_train__device='cpu'.*with iterator_train__num_workers=1,"
    with pytest.raises(ValueError, match=match):
        clf.fit(X, y)
    clf.set_params(iterator_train__device=None)
    assert clf.fit(X, y).predict(X).shape == y.shape


def test_a_slice_loader_of_ones_own_gets_the_dataloader_options(data):
    # The fallback to a DataLoader is for the default loader: a subclass
    # that takes the options got them, and one that does not must say so
    # rather than be replaced (its own batches silently lost).
    X, y = data
    got = {}

    class Tolerant(SliceLoader):
        def __init__(self, dataset, **kwargs):
            got["num_workers"] = kwargs.pop("num_workers", 0)
            super().__init__(dataset, **kwargs)

    LongTailClassifier(
        iterator_train=Tolerant, iterator_train__num_workers=2, **FAST
    ).fit(X, y)
    assert got == {"num_workers": 2}

    class Shifted(SliceLoader):
        def __iter__(self):
            for Xb, yb in super().__iter__():
                yield Xb + 1, yb

    clf = LongTailClassifier(
        iterator_train=Shifted, iterator_train__num_workers=2, **FAST
    )
    with pytest.raises(TypeError, match="num_workers"):
        clf.fit(X, y)


@pytest.mark.parametrize(
    "params, given",
    [
        (dict(sampler="class_balanced"), dict(iterator_train__shuffle=True)),
        (
            dict(sampler="progressive"),
            dict(iterator_train__sampler=torch.utils.data.RandomSampler(range(240))),
        ),
        (dict(sampler__num_samples=100), dict(iterator_train__shuffle=True)),
        (
            dict(sampler="square_root"),
            dict(
                iterator_train__batch_sampler=torch.utils.data.BatchSampler(
                    range(240), 32, False
                ),
                iterator_train__batch_size=1,
            ),
        ),
    ],
)
def test_a_sampler_replaced_by_iterator_options_is_refused(data, params, given):
    # iterator_train__shuffle=True (skorch's usual setting) or
    # iterator_train__sampler silently took the place of the sampler chosen.
    X, y = data
    with pytest.raises(ValueError, match="are mutually exclusive: iterator_train__"):
        LongTailClassifier(**params, **given, **FAST).fit(X, y)


def test_iterator_train_batch_sampler_draws_the_batches(data):
    # skorch's iterator_train__batch_sampler (with batch_size=1, as torch
    # needs) failed: the classifier passed its own sampler along with it,
    # which torch refused ("mutually exclusive with ... sampler").
    X, y = data
    batches = torch.utils.data.BatchSampler(range(len(y)), 100, False)
    clf = LongTailClassifier(
        **{**FAST, "batch_size": 1}, iterator_train__batch_sampler=batches
    ).fit(X, y)
    rows = clf.history[-1, "batches"]
    assert [row["train_batch_size"] for row in rows] == [100, 100, len(y) - 200]
    assert not hasattr(clf, "train_sampler_")


def test_iterator_train_batch_sampler_without_batch_size_1_is_refused(data):
    # torch refused the default batch_size with "mutually exclusive with
    # batch_size, shuffle, sampler, and drop_last", naming no fix.
    X, y = data
    batches = torch.utils.data.BatchSampler(range(len(y)), 100, False)
    clf = LongTailClassifier(**FAST, iterator_train__batch_sampler=batches)
    with pytest.raises(ValueError, match="pass iterator_train__batch_size=1"):
        clf.fit(X, y)


@pytest.mark.parametrize(
    "callback",
    [DeferredResampling(start_epoch=1), ClassifierRetraining(start_epoch=1)],
    ids=["drs", "crt"],
)
def test_a_sampler_swap_refused_with_a_batch_sampler_names_it(data, callback):
    # The refusal told the user to set iterator_train__sampler or
    # iterator_train__shuffle to None, neither of which was given.
    X, y = data
    batches = torch.utils.data.BatchSampler(range(len(y)), 100, False)
    clf = LongTailClassifier(
        **{**FAST, "batch_size": 1},
        iterator_train__batch_sampler=batches,
        callbacks=[callback],
    )
    with pytest.raises(ValueError, match="set iterator_train__batch_sampler to None"):
        clf.fit(X, y)


@pytest.mark.parametrize("method", ["partial_fit", "warm_start"])
def test_a_sampler_refused_with_iterator_options_keeps_the_fitted_network(data, method):
    # The refusal came from the first epoch: a partial_fit or warm start
    # left the classifier unfitted, its history one row longer.
    X, y = data
    clf = LongTailClassifier(sampler="class_balanced", **FAST).fit(X, y)
    proba = clf.predict_proba(X)
    clf.set_params(iterator_train__shuffle=True, warm_start=method == "warm_start")
    with pytest.raises(ValueError, match="mutually exclusive"):
        clf.partial_fit(X, y) if method == "partial_fit" else clf.fit(X, y)
    assert len(clf.history) == FAST["max_epochs"]
    np.testing.assert_array_equal(clf.predict_proba(X), proba)


def test_a_refit_without_sampler_drops_the_sampler_of_the_last_fit(data):
    # After set_params(iterator_train__shuffle=True), the refit kept the
    # sampler of the fit before: DeferredResampling swapped it without effect.
    X, y = data
    params = dict(callbacks=[DeferredResampling(start_epoch=0)], **FAST)
    clf = LongTailClassifier(**params).fit(X, y)
    clf.set_params(iterator_train__shuffle=True)
    with pytest.raises(ValueError, match="training sampler cannot be changed"):
        clf.fit(X, y)
    clf.set_params(callbacks=None).fit(X, y)
    assert not hasattr(clf, "train_sampler_")


def test_same_random_state_same_network_and_global_rng_untouched(data):
    X, y = data
    torch.manual_seed(123)
    before = torch.get_rng_state()
    first = LongTailClassifier(sampler="square_root", **FAST).fit(X, y)
    assert torch.equal(torch.get_rng_state(), before)
    second = LongTailClassifier(sampler="square_root", **FAST).fit(X, y)
    np.testing.assert_array_equal(first.predict_proba(X), second.predict_proba(X))
    third = LongTailClassifier(sampler="square_root", **{**FAST, "random_state": 1})
    assert not np.allclose(third.fit(X, y).predict_proba(X), first.predict_proba(X))


def test_initialize_then_partial_fit_follows_random_state(data):
    # initialize() drew the weights from torch's global generator: with
    # random_state=0 the network trained on depended on torch.manual_seed
    X, y = data
    params = dict(module__n_features=X.shape[1], classes=np.unique(y), **FAST)
    probas = []
    for global_seed in (0, 1):
        torch.manual_seed(global_seed)
        before = torch.get_rng_state()
        clf = LongTailClassifier(**params).initialize()
        assert torch.equal(torch.get_rng_state(), before)
        probas.append(clf.partial_fit(X, y).predict_proba(X))
    np.testing.assert_array_equal(probas[0], probas[1])


def test_initialize_of_a_count_loss_asks_for_the_classes(data):
    X, _ = data
    clf = LongTailClassifier(
        criterion="ldam", module__n_features=X.shape[1], module__n_classes=3, **FAST
    )
    with pytest.raises(ValueError, match="^The 'ldam' loss needs the class counts"):
        clf.initialize()


def test_initialize_on_a_fitted_classifier_counts_the_classes_anew(data):
    # initialize() kept the counts of the fit, to which the next partial_fit
    # added those of its data: the loss took the prior of both data sets
    X, y = data
    rows = np.r_[np.flatnonzero(y == 0)[:24], np.flatnonzero(y != 0)]
    params = dict(criterion="logit_adjusted", **FAST)
    clf = LongTailClassifier(**params).fit(X, y)
    clf.initialize().partial_fit(X[rows], y[rows])
    new = LongTailClassifier(
        module__n_features=X.shape[1], classes=np.unique(y), **params
    ).initialize()
    new.partial_fit(X[rows], y[rows])
    np.testing.assert_array_equal(clf.class_counts_, [24, 48, 24])
    torch.testing.assert_close(clf.criterion_.log_prior, new.criterion_.log_prior)
    np.testing.assert_array_equal(clf.predict_proba(X), new.predict_proba(X))


def test_initialize_on_a_fitted_classifier_restarts_the_schedules(data):
    # initialize() kept the schedule_start_ of two warm-start fits, past the
    # epochs of the new history: DeferredReweighting never switched
    X, y = data
    params = dict(criterion="ldam", **FAST)
    clf = LongTailClassifier(
        warm_start=True, callbacks=[DeferredReweighting(start_epoch=1)], **params
    )
    clf.fit(X, y).fit(X, y)
    assert clf.schedule_start_ == 2
    clf.initialize().partial_fit(X, y)
    assert clf.schedule_start_ == 0
    assert clf.history[:, "reweighted"] == [False, True]


@pytest.mark.parametrize("method", ["fit", "partial_fit"])
def test_fit_builds_the_network_through_the_initialize_of_a_subclass(data, method):
    # fit and partial_fit built the network without calling initialize: the
    # initialize of a subclass (its own start of the weights) was skipped,
    # where skorch's fit and partial_fit call it
    X, y = data

    class ZeroBias(LongTailClassifier):
        def initialize(self):
            super().initialize()
            torch.nn.init.zeros_(self.module_.classifier.bias)
            self.n_initialized_ = getattr(self, "n_initialized_", 0) + 1
            return self

    params = dict(criterion="logit_adjusted", **FAST)
    clf = getattr(ZeroBias(**params), method)(X, y)
    assert clf.n_initialized_ == 1
    # with the counts of the data just fitted
    np.testing.assert_array_equal(clf.class_counts_, [168, 48, 24])
    plain = getattr(LongTailClassifier(**params), method)(X, y)
    torch.testing.assert_close(clf.criterion_.log_prior, plain.criterion_.log_prior)
    clf.set_params(warm_start=True).fit(X, y)  # trained further, not rebuilt
    clf.partial_fit(X, y)
    assert clf.n_initialized_ == 1
    assert _COUNTED_BY_FIT.get() is None  # no fit marked as counting after it


def test_a_copy_made_in_the_initialize_of_a_subclass_counts_anew(data):
    # a copy of the classifier (deepcopy, copy) made in a subclass's
    # initialize, during fit, is not the classifier whose fit has just
    # counted the classes: the copy's own initialize() counts anew
    X, y = data

    class Snapshot(LongTailClassifier):
        def initialize(self):
            super().initialize()
            self.copies_ = [copy.deepcopy(self), copy.copy(self)]
            return self

    clf = Snapshot(**FAST).fit(X, y)
    for kept in clf.copies_:
        kept.initialize()
        assert not hasattr(kept, "class_counts_")


@pytest.mark.parametrize(
    "params", [{"module__hidden_sizes": (8,)}, {"compile": False}], ids=str
)
def test_set_params_rebuilding_the_network_follows_random_state(data, params):
    # module__* (or compile) on a fitted classifier rebuilt the network from
    # torch's global generator, which the next partial_fit then trained
    X, y = data
    probas = []
    for global_seed in (0, 1):
        clf = LongTailClassifier(**FAST).fit(X, y)
        torch.manual_seed(global_seed)
        before = torch.get_rng_state()
        clf.set_params(**params)
        assert torch.equal(torch.get_rng_state(), before)
        probas.append(clf.partial_fit(X, y).predict_proba(X))
    np.testing.assert_array_equal(probas[0], probas[1])


class _StartOtherFit(Callback):
    """After the first epoch, start a seeded fit in another thread."""

    def __init__(self, other, started, X, y):
        self.other, self.started, self.X, self.y = other, started, X, y

    def on_epoch_end(self, net, **kwargs):
        if len(net.history) == 1:
            self.thread = threading.Thread(target=self.other.fit, args=(self.X, self.y))
            self.thread.start()
            # the other fit's torch seed would replace this fit's
            self.overlapped = self.started.wait(0.5)


class _Started(Callback):
    def __init__(self):
        self.started = threading.Event()

    def on_train_begin(self, net, **kwargs):
        self.started.set()


def test_seeded_fits_in_threads_take_turns(data):
    # two seeded fits in threads drew from each other's seeds (other networks
    # than fitted alone) and left torch's global generator changed
    X, y = data
    alone = [
        LongTailClassifier(**{**FAST, "random_state": seed}).fit(X, y)
        for seed in (0, 1)
    ]
    torch.manual_seed(123)
    before = torch.get_rng_state()
    started = _Started()
    other = LongTailClassifier(callbacks=[started], **{**FAST, "random_state": 1})
    starter = _StartOtherFit(other, started.started, X, y)
    first = LongTailClassifier(callbacks=[starter], **FAST).fit(X, y)
    starter.thread.join()
    assert not starter.overlapped
    for clf, fitted in zip((first, other), alone):
        np.testing.assert_array_equal(clf.predict_proba(X), fitted.predict_proba(X))
    assert torch.equal(torch.get_rng_state(), before)


class _HoldWhileForking(Callback):
    """After the first epoch, wait until a process has been forked."""

    def __init__(self):
        self.holding, self.forked = threading.Event(), threading.Event()

    def on_epoch_end(self, net, **kwargs):
        if len(net.history) == 1:
            self.holding.set()
            self.forked.wait(30)


def _seeded_fit_in_child(X, y, queue):
    clf = LongTailClassifier(**FAST).fit(X, y)
    queue.put(clf.predict_proba(X))


@pytest.mark.skipif(
    "fork" not in multiprocessing.get_all_start_methods(), reason="needs fork"
)
@pytest.mark.filterwarnings("ignore:.*fork:DeprecationWarning")
def test_seeded_fit_in_a_process_forked_during_another(data):
    # a process forked while a thread was in a seeded fit inherited the lock
    # held by a thread it does not have: its seeded fit waited for ever
    X, y = data
    holder = _HoldWhileForking()
    thread = threading.Thread(
        target=LongTailClassifier(callbacks=[holder], **FAST).fit, args=(X, y)
    )
    thread.start()
    try:
        assert holder.holding.wait(30)
        context = multiprocessing.get_context("fork")
        queue = context.Queue()
        child = context.Process(target=_seeded_fit_in_child, args=(X, y, queue))
        child.start()
    finally:
        holder.forked.set()
        thread.join()
    try:
        proba = queue.get(timeout=30)
    finally:
        child.join(5)
        if child.is_alive():
            child.kill()
    alone = LongTailClassifier(**FAST).fit(X, y)
    np.testing.assert_array_equal(proba, alone.predict_proba(X))


class _ForkFitOfSameNet(Callback):
    """After the first epoch, fit this very classifier in a forked process."""

    def __init__(self, X, y):
        self.X, self.y = X, y

    def on_epoch_end(self, net, **kwargs):
        if len(net.history) == 1:
            context = multiprocessing.get_context("fork")
            queue = context.Queue()
            child = context.Process(
                target=_refit_without_callbacks, args=(net, self.X, self.y, queue)
            )
            child.start()
            try:
                self.proba = queue.get(timeout=30)
            finally:
                child.join(5)
                if child.is_alive():
                    child.kill()


def _refit_without_callbacks(net, X, y, queue):
    queue.put(net.set_params(callbacks=[]).fit(X, y).predict_proba(X))


@pytest.mark.skipif(
    "fork" not in multiprocessing.get_all_start_methods(), reason="needs fork"
)
@pytest.mark.filterwarnings("ignore:.*fork:DeprecationWarning")
def test_seeded_fit_of_the_same_classifier_in_a_process_forked_during_its_fit(data):
    # a process forked from within a seeded fit took a fit of the same
    # classifier for a call nested in that fit: it was not seeded
    X, y = data
    forker = _ForkFitOfSameNet(X, y)
    LongTailClassifier(callbacks=[forker], **FAST).fit(X, y)
    alone = LongTailClassifier(**FAST).fit(X, y)
    np.testing.assert_array_equal(forker.proba, alone.predict_proba(X))


def test_same_random_state_same_shuffled_validation_split(data):
    """A float ValidSplit without a seed of its own is seeded by random_state."""
    X, y = data
    split = ValidSplit(0.25, stratified=True)
    fast = {**FAST, "max_epochs": 1}
    fits = []
    for seed in (1, 2):
        np.random.seed(seed)
        before = np.random.get_state()[1].copy()
        clf = LongTailClassifier(train_split=split, **fast).fit(X, y)
        np.testing.assert_array_equal(np.random.get_state()[1], before)
        fits.append(clf)
    assert split.random_state is None
    np.testing.assert_array_equal(
        fits[0].history[:, "valid_loss"], fits[1].history[:, "valid_loss"]
    )
    np.testing.assert_array_equal(fits[0].predict_proba(X), fits[1].predict_proba(X))
    other = LongTailClassifier(train_split=split, **{**fast, "random_state": 1})
    other_loss = other.fit(X, y).history[:, "valid_loss"]
    assert other_loss != fits[0].history[:, "valid_loss"]


class _Batches(Callback):
    """The inputs of the training and of the validation batches, by epoch."""

    def initialize(self):
        self.epochs = []
        return self

    def on_epoch_begin(self, net, **kwargs):
        self.epochs.append({True: [], False: []})

    def on_batch_begin(self, net, batch=None, training=None, **kwargs):
        self.epochs[-1][training].append(batch[0].numpy().copy())


def _rows(batches):
    """The rows of ``batches``, sorted."""
    rows = np.concatenate(batches)
    return rows[np.lexsort(rows.T[::-1])]


def test_each_partial_fit_validates_on_the_rows_of_the_first(data):
    # the split was seeded from the seed of each call, offset by the epochs
    # trained: a partial_fit validated on rows that the calls before trained on
    X, y = data
    batches = _Batches()
    clf = LongTailClassifier(
        train_split=ValidSplit(0.25, stratified=True),
        callbacks=[("batches", batches)],
        **{**FAST, "max_epochs": 1},
    )
    for _ in range(3):
        clf.partial_fit(X, y)
    valid = [_rows(epoch[False]) for epoch in batches.epochs]
    assert valid[0].shape == (60, X.shape[1])
    for other in valid[1:]:
        np.testing.assert_array_equal(other, valid[0])


def test_each_warm_fit_draws_other_batches(data):
    # each warm fit seeded torch as the one before: from the second on, they
    # all trained on the same batches, in the same order (partial_fit did not)
    X, y = data
    params = {**FAST, "max_epochs": 1, "warm_start": True}
    params["train_split"] = ValidSplit(0.25, stratified=True)
    batches = _Batches()
    clf = LongTailClassifier(callbacks=[("batches", batches)], **params)
    for _ in range(3):
        clf.fit(X, y)
    second, third = (np.concatenate(epoch[True]) for epoch in batches.epochs[1:])
    assert second.shape == third.shape
    assert not np.array_equal(second, third)
    valid = [_rows(epoch[False]) for epoch in batches.epochs]
    for other in valid[1:]:
        np.testing.assert_array_equal(other, valid[0])
    # the same fits give the same network
    again = LongTailClassifier(**params)
    for _ in range(3):
        again.fit(X, y)
    np.testing.assert_array_equal(again.predict_proba(X), clf.predict_proba(X))


def test_a_class_of_one_sample_for_a_stratified_float_split_is_named_by_label(data):
    # scikit-learn's StratifiedShuffleSplit named the code of the class,
    # "Classes with too few members are: [2]", here a class of 9 samples
    X, _ = data
    X = X[:30]
    y = np.r_[np.full(20, 1), np.full(9, 2), 3]
    clf = LongTailClassifier(train_split=ValidSplit(0.2, stratified=True), **FAST)
    match = "Class 3 has 1 sample in y, too few for the validation split of "
    with pytest.raises(ValueError, match=match + "train_split, a StratifiedShuff"):
        clf.fit(X, y)
    y[-2] = 3
    assert clf.fit(X, y).class_counts_.tolist() == [16, 6, 2]


def test_the_classes_of_one_sample_a_validation_split_refuses_are_all_named(data):
    # A long tail of classes of one sample was refused one class a fit
    # ("Class 3 has 1 sample in y"), and the advice for a split that is not
    # stratified, ValidSplit(5, stratified=True), then refused them.
    X, _ = data
    y = np.r_[np.full(20, 1), np.full(9, 2), 3, 4, 5]
    clf = LongTailClassifier(train_split=ValidSplit(0.2, stratified=True), **FAST)
    match = "Class 3 has 1 sample in y.* 3 classes have a single sample in y: 3, 4, 5"
    with pytest.raises(ValueError, match=match):
        clf.fit(X[: y.size], y)
    y = np.r_[np.full(4, 0), np.full(20, 1), 2, 3]
    clf.set_params(train_split=ValidSplit(5))
    match = (
        r"Class 0 has 4 samples in y, and the training part .*stratified=True\), "
        r".*A stratified split needs 2 samples of every class, and class 2 has 1: "
        r"add samples of such classes or drop them\. 2 classes have a single "
        r"sample in y: 2, 3\.$"
    )
    with pytest.raises(ValueError, match=match):
        clf.fit(X[: y.size], y)


def test_pickle_and_clone(data):
    X, y = data
    clf = LongTailClassifier(criterion="ldam", **FAST).fit(X, y)
    restored = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(restored.predict_proba(X), clf.predict_proba(X))
    fresh = clone(clf)
    assert fresh.get_params()["criterion"] == "ldam" and not fresh.initialized_


def test_save_params_and_load_params_round_trip(data, tmp_path):
    X, y = data
    clf = LongTailClassifier(criterion="vs", **FAST).fit(X, y)
    clf.save_params(
        f_params=tmp_path / "params.pt", f_criterion=tmp_path / "criterion.pt"
    )
    new = LongTailClassifier(
        criterion="vs",
        module__n_features=5,
        module__hidden_sizes=(16,),
        classes=clf.classes_,
    ).initialize()
    new.load_params(
        f_params=tmp_path / "params.pt", f_criterion=tmp_path / "criterion.pt"
    )
    np.testing.assert_array_equal(new.predict_proba(X), clf.predict_proba(X))
    np.testing.assert_array_equal(new.predict(X), clf.predict(X))
    torch.testing.assert_close(new.criterion_.scales, clf.criterion_.scales)


def test_partial_fit_continues_training(data):
    X, y = data
    clf = LongTailClassifier(**FAST)
    clf.partial_fit(X[y != 2], y[y != 2], classes=[0, 1, 2])
    assert list(clf.classes_) == [0, 1, 2]
    module = clf.module_
    clf.partial_fit(X, y)
    assert clf.module_ is module and len(clf.history) == 4
    with pytest.raises(ValueError, match="previously unseen labels"):
        clf.partial_fit(X, y + 5)
    # As scikit-learn: later classes may repeat the first ones, not change them
    # (they were silently ignored).
    clf.partial_fit(X, y, classes=[2, 1, 0])
    with pytest.raises(ValueError, match=r"classes=\[0, 1, 2, 3\] is not the same"):
        clf.partial_fit(X, y, classes=[0, 1, 2, 3])


def test_a_warm_start_fit_needs_the_fitted_classes_and_input(data):
    # As MLPClassifier(warm_start=True): the same classes, the same features.
    X, y = data
    clf = LongTailClassifier(warm_start=True, criterion="ldam", **FAST).fit(X, y)
    module = clf.module_
    for y_bad in (y[y != 2], np.where(y == 2, 3, y)):
        with pytest.raises(ValueError, match=r"same classes.*\[0, 1, 2\]"):
            clf.fit(X[: y_bad.size], y_bad)
    with pytest.raises(ValueError, match="X has 4 features"):
        clf.fit(X[:, :4], y)
    clf.fit(X[:100], y[:100])
    assert clf.module_ is module and len(clf.history) == 4
    np.testing.assert_array_equal(clf.class_counts_, np.bincount(y[:100]))
    # With classes=, y may lack some of them, as in the first fit.
    clf = LongTailClassifier(warm_start=True, classes=[0, 1, 2, 3], **FAST)
    clf.fit(X, y).fit(X[y != 2], y[y != 2])
    assert list(clf.classes_) == [0, 1, 2, 3] and len(clf.history) == 4
    with pytest.raises(ValueError, match="same classes"):
        clf.fit(X, y + 5)


def test_progress_bar(data, capsys):
    pytest.importorskip("tqdm")
    X, y = data
    clf = LongTailClassifier(progress_bar=True, **FAST).fit(X, y)
    assert "progress_bar" in dict(clf.callbacks_)
    assert "/8" in capsys.readouterr().err


class ZMQInteractiveShell:
    """The class name by which skorch tells a Jupyter kernel."""


@pytest.fixture
def jupyter_kernel(monkeypatch):
    """A Jupyter kernel as skorch's ``ProgressBar`` sees one."""
    from ltlearn.deep._progress import _no_notebook_widget

    monkeypatch.setattr(
        builtins, "get_ipython", lambda: ZMQInteractiveShell(), raising=False
    )
    _no_notebook_widget.cache_clear()
    yield
    _no_notebook_widget.cache_clear()


def test_progress_bar_in_a_jupyter_kernel_without_ipywidgets(
    data, capsys, monkeypatch, jupyter_kernel
):
    # skorch's ProgressBar draws tqdm's notebook widget in any Jupyter kernel:
    # without ipywidgets the fit failed at its first epoch with "ImportError:
    # IProgress not found". The text bar is drawn instead, after a warning.
    tqdm_notebook = pytest.importorskip("tqdm.notebook")
    from tqdm import TqdmWarning

    monkeypatch.setattr(tqdm_notebook, "IProgress", None)
    X, y = data
    with pytest.warns(TqdmWarning, match="IProgress not found: progress_bar=True"):
        clf = LongTailClassifier(progress_bar=True, **FAST).fit(X, y)
    check_is_fitted(clf)
    assert "/8" in capsys.readouterr().err


@pytest.mark.parametrize("env", [{}, {"QT_API": "pyqt5"}, {"VSCODE_PID": "1"}])
def test_progress_bar_in_a_jupyter_kernel_with_ipywidgets(
    data, monkeypatch, jupyter_kernel, env
):
    # With ipywidgets, skorch's choice is kept: the notebook widget in any
    # Jupyter kernel, whatever tqdm.auto would choose there.
    tqdm = pytest.importorskip("tqdm")
    tqdm_notebook = pytest.importorskip("tqdm.notebook")
    drawn = []

    class Widget(tqdm.std.tqdm):
        def __init__(self, *args, **kwargs):
            drawn.append(kwargs["total"])
            super().__init__(*args, disable=True, **kwargs)

    monkeypatch.setattr(tqdm_notebook, "IProgress", object)
    monkeypatch.setattr(tqdm, "tqdm_notebook", Widget)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    X, y = data
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        LongTailClassifier(progress_bar=True, **FAST).fit(X, y)
    assert drawn == [8, 8]


@pytest.mark.parametrize("train_further", ["partial_fit", "warm_start"])
def test_verbose_set_after_a_silent_fit_prints_the_epochs_trained_further(
    data, capsys, train_further
):
    # The network fitted at verbose=0 has no PrintLog: set_params(verbose=1)
    # then partial_fit, or fit with warm_start, printed nothing.
    X, y = data
    clf = LongTailClassifier(warm_start=train_further == "warm_start", **FAST)
    clf.fit(X, y)
    assert capsys.readouterr().out == ""
    clf.set_params(verbose=1)
    if train_further == "partial_fit":
        clf.partial_fit(X, y)
    else:
        clf.fit(X, y)
    lines = capsys.readouterr().out.splitlines()
    assert "epoch" in lines[0] and "train_loss" in lines[0]
    assert [line.split()[0] for line in lines[2:]] == ["3", "4"]
    clf.set_params(verbose=0).partial_fit(X, y)
    assert capsys.readouterr().out == ""
    assert [name for name, _ in clf.callbacks_].count("print_log") == 1


def test_progress_bar_set_after_a_fit_applies_to_partial_fit(data, capsys):
    # The bar was built, or not, with the network: set_params(progress_bar=
    # False) then partial_fit still drew it, and progress_bar=True drew none.
    pytest.importorskip("tqdm")
    X, y = data
    clf = LongTailClassifier(progress_bar=True, verbose=1, **FAST).fit(X, y)
    assert "/8" in capsys.readouterr().err
    clf.set_params(progress_bar=False).partial_fit(X, y)
    assert capsys.readouterr().err == ""
    assert "progress_bar" not in dict(clf.callbacks_)
    clf.set_params(progress_bar=True).partial_fit(X, y)
    captured = capsys.readouterr()
    assert "/8" in captured.err
    assert [line.split()[0] for line in captured.out.splitlines()] == ["5", "6"]
    names = [name for name, _ in clf.callbacks_]
    assert names[-2:] == ["progress_bar", "print_log"]


def test_callbacks_turned_off_by_name_stay_off_at_fit(data, capsys):
    # skorch's callbacks__print_log=None and callbacks__progress_bar=None
    # turn the table and the bar off; they must not come back at training.
    pytest.importorskip("tqdm")
    X, y = data
    clf = LongTailClassifier(
        verbose=1,
        progress_bar=True,
        callbacks__print_log=None,
        callbacks__progress_bar=None,
        **FAST,
    )
    clf.fit(X, y).partial_fit(X, y)
    assert capsys.readouterr() == ("", "")
    assert [name for name, _ in clf.callbacks_] == ["epoch_timer", "train_loss"]


class _RecordWeight(Callback):
    """Record the loss's weight of the last class at each epoch's end."""

    def on_epoch_end(self, net, **kwargs):
        weight = net.criterion_.weight
        net.history.record("weight", None if weight is None else float(weight[-1]))


def test_set_params_of_one_callback_keeps_the_state_of_the_others(data):
    # callbacks__es__patience on a fitted classifier initialised every
    # callback anew: DeferredReweighting forgot the loss's weights before its
    # switch, and the warm-started refit trained its first epochs re-weighted
    # while recording reweighted=False.
    X, y = data
    clf = LongTailClassifier(
        **{**FAST, "max_epochs": 3},
        callbacks=[
            ("drw", DeferredReweighting(start_epoch=2)),
            ("es", EarlyStopping(monitor="train_loss", patience=50)),
            ("record", _RecordWeight()),
        ],
    ).fit(X, y)
    clf.set_params(callbacks__es__patience=40, warm_start=True)
    assert clf.callbacks_[-2][1].patience == 40
    clf.fit(X, y)
    assert clf.history[3:, "reweighted"] == [False, False, True]
    assert clf.history[3:5, "weight"] == [None, None]


def test_a_failed_set_params_of_a_callback_keeps_the_state_of_the_others(data):
    # skorch initialised every callback before refusing the unknown name:
    # DeferredReweighting forgot the loss's weights before its switch.
    X, y = data
    clf = LongTailClassifier(
        **{**FAST, "max_epochs": 3},
        callbacks=[
            ("drw", DeferredReweighting(start_epoch=2)),
            ("record", _RecordWeight()),
        ],
    ).fit(X, y)
    with pytest.raises(ValueError, match="callback nope"):
        clf.set_params(callbacks__nope__patience=40)
    clf.set_params(warm_start=True).fit(X, y)
    assert clf.history[3:5, "weight"] == [None, None]


def test_set_params_of_a_callback_applies_to_partial_fit(data, capsys):
    # skorch's set_params initialised the callbacks before setting their
    # parameters: PrintLog kept the keys_ignored of its initialisation.
    X, y = data
    clf = LongTailClassifier(verbose=1, **{**FAST, "max_epochs": 1}).fit(X, y)
    capsys.readouterr()
    clf.set_params(callbacks__print_log__keys_ignored=["dur"])
    clf.partial_fit(X, y)
    table = capsys.readouterr().out
    assert "train_loss" in table
    assert "dur" not in table


def test_a_callback_class_set_by_set_params_is_built_for_partial_fit(data):
    # callbacks__record=<a class> on a fitted classifier put the class among
    # the callbacks: "on_epoch_end() missing 1 required positional argument"
    X, y = data
    clf = LongTailClassifier(**FAST, callbacks=[("record", _RecordWeight())])
    clf.fit(X, y).set_params(callbacks__record=_RecordWeight).partial_fit(X, y)
    assert isinstance(dict(clf.callbacks_)["record"], _RecordWeight)
    assert clf.history[-1, "weight"] is None
    assert len(clf.history) == 4


def test_a_callback_turned_off_by_set_params_is_left_out_of_partial_fit(data):
    # callbacks__es=None on a fitted classifier put None among the callbacks:
    # "'NoneType' object has no attribute 'on_train_begin'".
    X, y = data
    clf = LongTailClassifier(
        **FAST, callbacks=[("es", EarlyStopping(monitor="train_loss"))]
    ).fit(X, y)
    clf.set_params(callbacks__es=None).partial_fit(X, y)
    assert "es" not in dict(clf.callbacks_)
    assert len(clf.history) == 4


@pytest.mark.parametrize("criterion", ["ldam", LDAMLoss], ids=["name", "class"])
def test_a_class_missing_from_the_split_names_the_loss_once(criterion):
    # "the LDAMLoss loss needs training samples of every class" (the class
    # name, with the word loss once more), even for criterion="ldam"; the
    # training part holds rows of class 1, all of weight 0
    X = np.random.RandomState(0).randn(40, 4).astype(np.float32)
    y = np.repeat([0, 1], [34, 6])
    sample_weight = np.r_[np.ones(34), np.zeros(2), np.ones(4)]
    split = ValidSplit([(np.arange(36), np.arange(36, 40))])
    clf = LongTailClassifier(criterion=criterion, train_split=split, **FAST)
    with pytest.raises(ValueError, match="split; LDAMLoss needs training samples"):
        clf.fit(X, y, sample_weight=sample_weight)


@pytest.mark.parametrize("criterion", ["ce", "ldam"])
def test_a_split_that_leaves_a_class_out_of_training_is_refused(criterion):
    # rows sorted by class: ValidSplit(5), an unshuffled KFold, validated on
    # the first fifth, all of class 0, and the network never saw class 0
    X = np.random.RandomState(0).randn(40, 4).astype(np.float32)
    y = np.repeat([0, 1], [8, 32])
    clf = LongTailClassifier(criterion=criterion, train_split=ValidSplit(5), **FAST)
    with pytest.raises(ValueError, match="Class 0 has 8 samples in y, and the tr"):
        clf.fit(X, y)
    with pytest.raises(NotFittedError):
        check_is_fitted(clf)
    clf.set_params(train_split=ValidSplit(5, stratified=True)).fit(X, y)
    assert clf.class_counts_.tolist() == [6, 26]


def test_progress_bar_counts_the_batches_of_a_sampler_with_num_samples(data, capsys):
    pytest.importorskip("tqdm")
    X, y = data
    params = {**FAST, "sampler": "class_balanced", "sampler__num_samples": 64}
    LongTailClassifier(progress_bar=True, train_split=None, **params).fit(X, y)
    err = capsys.readouterr().err
    # 64 rows in batches of 32; skorch's default total, 240 / 32, was 8
    assert "/2" in err
    assert "/8" not in err


def test_progress_bar_counts_the_batches_of_a_batch_sampler(data, capsys):
    pytest.importorskip("tqdm")
    X, y = data
    batches = torch.utils.data.BatchSampler(range(len(y)), 100, False)
    params = {**FAST, "batch_size": 1, "iterator_train__batch_sampler": batches}
    LongTailClassifier(progress_bar=True, train_split=None, **params).fit(X, y)
    err = capsys.readouterr().err
    # 3 batches of up to 100 rows; skorch's default total, 240 / 1, was 240
    assert "/3" in err
    assert "/240" not in err


def test_a_class_without_training_samples_is_named(data):
    X, y = data
    with pytest.raises(ValueError, match="Class 3 has 0 samples in y; the 'ldam'"):
        LongTailClassifier(criterion="ldam", classes=[0, 1, 2, 3], **FAST).fit(X, y)
    # A class whose rows all have weight 0 is empty too, and the error says so.
    weights = np.where(y == 1, 0.0, 1.0)
    with pytest.raises(ValueError, match="Class 1 has 0 samples.*positive total"):
        LongTailClassifier(criterion="ldam", **FAST).fit(X, y, sample_weight=weights)
    clf = LongTailClassifier(classes=[0, 1, 2, 3], **FAST).fit(X, y)
    assert clf.predict_proba(X).shape == (len(X), 4)
    with pytest.raises(ValueError, match=r"y holds labels \[2\] that are not"):
        LongTailClassifier(classes=[0, 1], **FAST).fit(X, y)


@pytest.mark.parametrize(
    "params, match",
    [
        ({"criterion": "hinge"}, "'criterion' parameter"),
        ({"sampler": "smote"}, "'sampler' parameter"),
        ({"max_epochs": -1}, "'max_epochs' parameter"),
        ({"module__hidden_size": (3,)}, "unexpected keyword argument 'hidden_size'"),
        (
            {"criterion__gama": 2.0, "criterion": "focal"},
            "unexpected keyword argument 'gama'",
        ),
        ({"optimizer_lr": 0.1}, "unexpected argument"),
    ],
)
def test_bad_parameters_are_named(data, params, match):
    X, y = data
    with pytest.raises((ValueError, TypeError), match=match):
        LongTailClassifier(**{"max_epochs": 1, **params}).fit(X, y)


@pytest.mark.parametrize(
    "X_bad, y_bad, match",
    [
        (lambda X: X[:, 0], lambda y: y, "Expected 2D array"),
        (lambda X: np.where(X > 2, np.nan, X), lambda y: y, "NaN"),
        (lambda X: X, lambda y: y[:-3], "inconsistent numbers of samples"),
        (lambda X: X, lambda y: np.zeros_like(y), "1 class"),
        (lambda X: X, lambda y: np.c_[y, y], "Multilabel and multioutput"),
        # a sparse indicator: it said "y should be a 1d array, got an array of
        # shape () instead."
        (
            lambda X: X,
            lambda y: sparse.csr_matrix(np.eye(y.max() + 1, dtype=int)[y]),
            "multilabel-indicator target of shape",
        ),
        # a scalar: it said "Unknown label type: unknown ... continuous values"
        (lambda X: X, lambda y: 1, r"y should be a 1d array.*shape \(\)"),
    ],
)
def test_bad_data_raises_a_clear_error(data, X_bad, y_bad, match):
    X, y = data
    with pytest.raises(ValueError, match=match):
        LongTailClassifier(max_epochs=1).fit(X_bad(X), y_bad(y))


def test_the_inputs_are_left_alone(data):
    X, y = data
    X32 = X.astype(np.float32)
    X_copy, y_copy = X32.copy(), y.copy()
    clf = LongTailClassifier(**FAST).fit(X32, y)
    clf.predict(X32)
    np.testing.assert_array_equal(X32, X_copy)
    np.testing.assert_array_equal(y, y_copy)


@pytest.mark.parametrize(
    "wrapper, kwargs",
    [
        (LogitAdjustedClassifier, {}),
        (ThresholdMovingClassifier, {}),
        (PluginClassifier, {"cv": 2}),
    ],
    ids=["logit_adjusted", "threshold_moving", "plugin"],
)
def test_wrapped_by_post_hoc_estimators(data, wrapper, kwargs):
    X, y = data
    labels = np.array(["a", "b", "c"], dtype=object)
    # Trained long enough to rank the classes, not to separate the rarest one.
    params = {**FAST, "max_epochs": 20}
    bare = LongTailClassifier(**params).fit(X, labels[y])
    post_hoc = wrapper(LongTailClassifier(**params), **kwargs).fit(X, labels[y])
    assert isinstance(post_hoc.estimator_, LongTailClassifier)
    np.testing.assert_array_equal(post_hoc.classes_, labels)
    assert set(post_hoc.predict(X)) <= set(labels)
    proba = post_hoc.predict_proba(X)
    assert proba.shape == (len(X), 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-5)
    # The balanced decision rule recovers the rare class that the network
    # alone mostly misses.
    assert balanced_accuracy_score(labels[y], post_hoc.predict(X)) > (
        balanced_accuracy_score(labels[y], bare.predict(X)) + 0.1
    )


@pytest.mark.parametrize(
    "params",
    [
        {"criterion": "logit_adjusted"},
        {"criterion": "balanced_softmax"},
        {"criterion": "vs", "criterion__tau": 0.5},
    ],
    ids=["logit_adjusted", "balanced_softmax", "vs"],
)
def test_post_hoc_prior_rules_warn_of_a_loss_that_adjusted(data, params):
    # A network trained with a prior-adjusted loss already predicts the
    # balanced rule (Menon et al., 5.3): adjusting it again went unsaid, and
    # on load_digits_lt(imbalance_ratio=50) took its balanced accuracy from
    # 0.868 to 0.596 (the same with balanced costs or 1 / prior weights).
    X, y = data
    net = LongTailClassifier(**FAST, **params)
    for estimator in (net, make_pipeline(StandardScaler(), net)):
        with pytest.warns(UserWarning, match="; tau adjusts them by 1 "):
            LogitAdjustedClassifier(estimator, tau=1.0).fit(X, y)
    frozen = FrozenEstimator(clone(net).fit(X, y))
    with pytest.warns(UserWarning, match="which adjusts the logits by"):
        LogitAdjustedClassifier(frozen).fit(X, y)
    with pytest.warns(UserWarning, match='cost_matrix="balanced" adjusts them by 1 '):
        ThresholdMovingClassifier(net).fit(X, y)
    with pytest.warns(UserWarning, match='refine="never" adjusts them by 1 '):
        PluginClassifier(net, refine="never").fit(X, y)
    binary = y != 2
    with pytest.warns(UserWarning, match='scoring="balanced_accuracy" adjusts'):
        PluginClassifier(net).fit(X[binary], y[binary])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        # no adjustment, a searched one, costs of the user's, or a network
        # trained without one
        LogitAdjustedClassifier(net, tau=0.0).fit(X, y)
        LogitAdjustedClassifier(net, tau="auto", cv=2).fit(X, y)
        ThresholdMovingClassifier(net, cost_matrix=[1.0, 2.0, 3.0]).fit(X, y)
        PluginClassifier(net, cv=2).fit(X, y)
        LogitAdjustedClassifier(LongTailClassifier(**FAST), tau=1.5).fit(X, y)
        ThresholdMovingClassifier(LongTailClassifier(**FAST)).fit(X, y)
        LogitAdjustedClassifier(
            LongTailClassifier(criterion="vs", criterion__tau=0.0, **FAST)
        ).fit(X, y)


@pytest.mark.parametrize("criterion", ["logit_adjusted", "vs"])
def test_post_hoc_logit_adjustment_completes_a_partial_one(data, criterion):
    # A loss of tau=0.3 and a post-hoc tau=0.7 make the balanced rule (on
    # load_digits_lt(imbalance_ratio=50), a loss of tau=0.5 gave 0.806
    # balanced accuracy, and 0.850 with a post-hoc 0.5): no warning; only
    # past 1 does the sum over-predict the rare classes.
    X, y = data
    net = LongTailClassifier(criterion=criterion, criterion__tau=0.3, **FAST)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        LogitAdjustedClassifier(net, tau=0.7).fit(X, y)
    match = r"by 0.3 \* log\(prior\); tau .* by 0.8 .* 1.1 in all"
    with pytest.warns(UserWarning, match=match):
        LogitAdjustedClassifier(net, tau=0.8).fit(X, y)


def test_post_hoc_tau_zero_does_not_warn_of_a_loss_past_the_balanced_rule(data):
    # tau=0 adjusts nothing a second time, whatever the loss's own tau: it
    # warned that "tau adjusts them by 0 * log(prior) more, 2 in all" where
    # the same rule around a post-hoc rule of tau=2 stayed silent.
    X, y = data
    net = LongTailClassifier(criterion="logit_adjusted", criterion__tau=2.0, **FAST)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        LogitAdjustedClassifier(net, tau=0.0).fit(X, y)
    with pytest.warns(UserWarning, match=r"by 0.1 \* log\(prior\) more, 2.1 in all"):
        LogitAdjustedClassifier(net, tau=0.1).fit(X, y)


def test_wrapped_by_semi_supervised_estimator(data):
    from ltlearn.semi_supervised import CReSTClassifier

    X, y = data
    y_semi = y.copy()
    y_semi[::3] = -1
    crest = CReSTClassifier(LongTailClassifier(**FAST), max_iter=1).fit(X, y_semi)
    assert set(crest.predict(X)) <= {0, 1, 2}


class _InterruptAt(Callback):
    """Ctrl-C at the start of epoch ``epoch`` (1-based), or ``raise`` it."""

    def __init__(self, epoch, how="signal"):
        self.epoch = epoch
        self.how = how

    def on_epoch_begin(self, net, **kwargs):
        if len(net.history) == self.epoch:
            if self.how == "raise":
                raise KeyboardInterrupt  # as skorch's EarlyStopping stops a fit
            # SIGINT to this (the main) thread: Python's handler raises.
            signal.raise_signal(signal.SIGINT)


@pytest.mark.parametrize("method", ["fit", "partial_fit"])
def test_an_interrupt_stops_the_fit_and_propagates(data, method):
    X, y = data
    ended = []

    class OnTrainEnd(Callback):
        def on_train_end(self, net, **kwargs):
            ended.append(True)

    clf = LongTailClassifier(
        callbacks=[_InterruptAt(2), OnTrainEnd()], **{**FAST, "max_epochs": 5}
    )
    with pytest.raises(KeyboardInterrupt):
        getattr(clf, method)(X, y)
    assert len(clf.history) == 2 and not ended  # epoch 2 started, never finished
    assert not clf.initialized_
    with pytest.raises(NotFittedError):
        clf.predict(X)
    with pytest.raises(NotFittedError):
        check_is_fitted(clf)
    # Inside a grid search the interrupt is not swallowed either.
    grid = GridSearchCV(
        LongTailClassifier(callbacks=[_InterruptAt(1)], **FAST),
        {"lr": [1e-3, 1e-2]},
        cv=2,
        error_score="raise",
    )
    with pytest.raises(KeyboardInterrupt):
        grid.fit(X, y)


@pytest.mark.parametrize("method", ["fit", "partial_fit"])
def test_a_callback_that_stops_the_training_ends_the_fit_as_in_skorch(data, method):
    # skorch's EarlyStopping raises KeyboardInterrupt to stop: it propagated to
    # the caller and left the classifier not fitted.
    X, y = data
    clf = LongTailClassifier(
        callbacks=[_InterruptAt(2, how="raise")], **{**FAST, "max_epochs": 5}
    )
    getattr(clf, method)(X, y)
    assert len(clf.history) == 2 and clf.initialized_
    assert clf.predict(X).shape == y.shape
    stopping = EarlyStopping(patience=1, threshold=1e9)  # stops at epoch 2
    clf = LongTailClassifier(callbacks=[stopping], **{**FAST, "max_epochs": 5})
    getattr(clf.set_params(train_split=ValidSplit(4, stratified=True)), method)(X, y)
    assert len(clf.history) == 2 and clf.predict(X).shape == y.shape


def test_a_validation_monitor_without_a_split_is_refused_before_training(
    data, tmp_path
):
    # train_split=None (the default): EarlyStopping() failed after the first
    # epoch with KeyError: "Key 'valid_loss' was not found in history."
    X, y = data
    for callback in (EarlyStopping(), Checkpoint(dirname=tmp_path)):
        clf = LongTailClassifier(callbacks=[callback], **FAST)
        with pytest.raises(ValueError, match="monitors 'valid_loss.*ValidSplit"):
            clf.fit(X, y)
        assert len(clf.history) == 0
    scoring = EpochScoring("accuracy", name="valid_acc")
    clf = LongTailClassifier(
        callbacks=[scoring, EarlyStopping(monitor="valid_acc")], **FAST
    )
    with pytest.raises(ValueError, match="monitors 'valid_acc'"):
        clf.fit(X, y)
    # A monitor of the training, a score a callback writes on its own (on
    # data of the user's) or a split: it trains.

    class External(Callback):
        def on_epoch_end(self, net, **kwargs):
            net.history.record("valid_external", 1.0)

    monitors = [External(), EarlyStopping(monitor="valid_external")]
    LongTailClassifier(callbacks=monitors, **FAST).fit(X, y)
    stop = EarlyStopping(monitor="train_loss")
    LongTailClassifier(callbacks=[stop], **FAST).fit(X, y)
    split = ValidSplit(4, stratified=True)
    LongTailClassifier(callbacks=[EarlyStopping()], train_split=split, **FAST).fit(X, y)


def test_a_validation_score_named_by_its_scoring_is_refused_without_a_split(
    data, tmp_path
):
    # EpochScoring("accuracy") records "accuracy" (its name is None): a
    # monitor of it was not refused, and failed after the first epoch with
    # KeyError: "Key 'accuracy' was not found in history." (BatchScoring too).
    X, y = data
    for scoring, monitor in [
        (EpochScoring("accuracy", lower_is_better=False), EarlyStopping),
        (BatchScoring("accuracy", on_train=False), EarlyStopping),
        (EpochScoring("f1_macro", lower_is_better=False), Checkpoint),
    ]:
        name = scoring.scoring
        watch = (
            EarlyStopping(monitor=name)
            if monitor is EarlyStopping
            else Checkpoint(monitor=f"{name}_best", dirname=tmp_path)
        )
        clf = LongTailClassifier(callbacks=[scoring, watch], **FAST)
        with pytest.raises(ValueError, match=f"monitors '{name}"):
            clf.fit(X, y)
        assert len(clf.history) == 0
    # on the training part, it is recorded: it trains
    scoring = EpochScoring("accuracy", on_train=True, lower_is_better=False)
    clf = LongTailClassifier(
        callbacks=[scoring, EarlyStopping(monitor="accuracy")], **FAST
    ).fit(X, y)
    assert len(clf.history[:, "accuracy"]) == len(clf.history)


def test_a_schedule_that_reads_no_monitor_is_not_refused_without_a_split(data):
    # skorch's LRScheduler reads its monitor for ReduceLROnPlateau only: a
    # StepLR given monitor="valid_loss" trains without validation data.
    X, y = data
    step = LRScheduler("StepLR", step_size=1, monitor="valid_loss")
    clf = LongTailClassifier(callbacks=[step], **FAST).fit(X, y)
    assert len(clf.history) == 2
    plateau = LRScheduler("ReduceLROnPlateau", monitor="valid_loss")
    with pytest.raises(ValueError, match="monitors 'valid_loss'"):
        LongTailClassifier(callbacks=[plateau], **FAST).fit(X, y)


def test_a_callback_recording_valid_loss_itself_is_not_refused_without_a_split(data):
    # A callback of the user's scoring data of its own under skorch's name:
    # EarlyStopping() reads it, with no split.
    X, y = data

    class OwnValidation(Callback):
        def on_epoch_end(self, net, **kwargs):
            net.history.record("valid_loss", float(len(net.history)))

    callbacks = [OwnValidation(), EarlyStopping(patience=1)]
    clf = LongTailClassifier(callbacks=callbacks, **{**FAST, "max_epochs": 5})
    clf.fit(X, y)
    assert clf.history[:, "valid_loss"] == [1.0, 2.0]  # stopped early


def test_setting_a_callback_of_no_such_name_is_refused_naming_the_callbacks(data):
    # skorch's valid_acc is valid_bacc here: set_params(callbacks__valid_acc=
    # None) failed with "not enough values to unpack (expected 2, got 1)".
    X, y = data
    clf = LongTailClassifier(train_split=ValidSplit(4, stratified=True), **FAST)
    message = r"'callbacks__valid_acc' names no callback.*'valid_bacc'"
    with pytest.raises(ValueError, match=message):
        clf.set_params(callbacks__valid_acc=None)
    clf.fit(X, y)
    with pytest.raises(ValueError, match=message):
        clf.set_params(callbacks__valid_acc=None)
    clf.set_params(callbacks__valid_bacc=None).fit(X, y)
    assert "valid_bacc" not in clf.history[-1]
    assert "valid_loss" in clf.history[-1]


def test_a_default_callback_left_out_by_the_settings_is_set_as_in_init(data, capsys):
    # skorch's set_params(callbacks__print_log=None): the log is built only
    # with verbose, the validation scores only with validation data; it failed
    # with "'callbacks__print_log' names no callback" (GridSearchCV too),
    # where __init__ takes it.
    X, y = data
    clf = LongTailClassifier(**FAST).set_params(
        callbacks__print_log=None, callbacks__valid_bacc=None
    )
    assert clf.get_params()["callbacks__print_log"] is None
    clf.set_params(verbose=1, train_split=ValidSplit(4, stratified=True)).fit(X, y)
    assert capsys.readouterr().out == ""
    assert [name for name, _ in clf.callbacks_] == [
        "epoch_timer",
        "train_loss",
        "valid_loss",
    ]
    grid = GridSearchCV(
        LongTailClassifier(**FAST), {"callbacks__print_log": [None]}, cv=2
    )
    assert grid.fit(X, y).best_estimator_.callbacks__print_log is None
    clf = LongTailClassifier(**FAST).fit(X, y)
    clf.set_params(callbacks__print_log__keys_ignored=["dur"], verbose=1)
    clf.partial_fit(X, y)
    assert "dur" not in capsys.readouterr().out
    with pytest.raises(ValueError, match="'callbacks__print_logg' names no callback"):
        clf.set_params(callbacks__print_logg=None)


def test_a_log_added_for_verbose_takes_its_callbacks_parameters(data, capsys):
    # A log built for verbose=1 set on a fitted classifier (or the bar for
    # progress_bar=True) ignored callbacks__print_log__* given before: the
    # "dur" column of callbacks__print_log__keys_ignored=["dur"] was printed.
    X, y = data
    clf = LongTailClassifier(callbacks__print_log__keys_ignored=["dur"], **FAST)
    clf.fit(X, y).set_params(verbose=1).partial_fit(X, y)
    out = capsys.readouterr().out
    assert "train_loss" in out
    assert "dur" not in out


@pytest.mark.parametrize(
    "name, switch", [("print_log", "verbose"), ("progress_bar", "progress_bar")]
)
def test_a_log_set_by_name_is_added_when_asked_for_on_a_fitted_classifier(
    data, capsys, name, switch
):
    # callbacks__print_log=PrintLog(...) (or a bar) given while the settings
    # left it out was not built when verbose (progress_bar) was then set on
    # the fitted classifier: partial_fit trained on without it, where a new
    # fit builds it.
    X, y = data
    callback = PrintLog(keys_ignored=["dur"]) if name == "print_log" else ProgressBar()
    clf = LongTailClassifier(**{f"callbacks__{name}": callback}, **FAST).fit(X, y)
    clf.set_params(**{switch: True}).partial_fit(X, y)
    assert dict(clf.callbacks_)[name] is callback
    captured = capsys.readouterr()
    if name == "print_log":
        assert "train_loss" in captured.out
        assert "dur" not in captured.out
    else:
        assert "it/s" in captured.out + captured.err


def test_a_default_callback_of_a_train_split_set_in_the_same_call_is_found(data):
    # valid_bacc is a callback once train_split gives validation data: set
    # together (as GridSearchCV sets a point of its grid), it was refused.
    X, y = data
    clf = LongTailClassifier(**FAST)
    clf.set_params(
        train_split=ValidSplit(4, stratified=True), callbacks__valid_bacc=None
    )
    clf.fit(X, y)
    assert "valid_bacc" not in clf.history[-1]
    assert "valid_loss" in clf.history[-1]


def test_a_monitor_of_skorchs_valid_acc_is_refused_naming_valid_bacc(data, tmp_path):
    # EarlyStopping failed after the first epoch with "Key 'valid_acc' was
    # not found in history", Checkpoint asked for validation data.
    X, y = data
    split = ValidSplit(4, stratified=True)
    for callback in (
        EarlyStopping(monitor="valid_acc", lower_is_better=False),
        Checkpoint(monitor="valid_acc_best", dirname=tmp_path),
    ):
        clf = LongTailClassifier(callbacks=[callback], train_split=split, **FAST)
        with pytest.raises(ValueError, match=r"monitors 'valid_acc.*'valid_bacc"):
            clf.fit(X, y)
        assert not list(tmp_path.iterdir())
    accuracy = EpochScoring("accuracy", name="valid_acc", lower_is_better=False)
    clf = LongTailClassifier(
        callbacks=[accuracy, EarlyStopping(monitor="valid_acc", lower_is_better=False)],
        train_split=split,
        **FAST,
    ).fit(X, y)
    assert len(clf.history[:, "valid_acc"]) == FAST["max_epochs"]


def test_the_valid_acc_advice_places_the_scoring_before_the_monitor(data):
    # It said to add an EpochScoring named valid_acc; added after the
    # EarlyStopping, the fit failed with "Key 'valid_acc' was not found".
    X, y = data
    split = ValidSplit(4, stratified=True)
    stop = EarlyStopping(monitor="valid_acc", lower_is_better=False)
    clf = LongTailClassifier(callbacks=[("stop", stop)], train_split=split, **FAST)
    with pytest.raises(ValueError, match=r"to callbacks before 'stop'") as info:
        clf.fit(X, y)
    assert "EpochScoring('accuracy', name='valid_acc'" in str(info.value)
    accuracy = EpochScoring("accuracy", name="valid_acc", lower_is_better=False)
    callbacks = [("accuracy", accuracy), ("stop", stop)]
    clf.set_params(callbacks=callbacks).fit(X, y)
    assert len(clf.history[:, "valid_acc"]) == FAST["max_epochs"]


def test_a_monitor_of_valid_acc_without_a_split_says_valid_bacc_needs_one(data):
    # It said to monitor 'valid_bacc', which was then refused for want of
    # validation data.
    X, y = data
    stop = EarlyStopping(monitor="valid_acc", lower_is_better=False)
    clf = LongTailClassifier(callbacks=[stop], **FAST)
    message = r"monitors 'valid_acc'.*'valid_bacc'.*train_split=None.*ValidSplit"
    with pytest.raises(ValueError, match=message):
        clf.fit(X, y)
    stop = EarlyStopping(monitor="valid_bacc", lower_is_better=False)
    clf.set_params(callbacks=[stop], train_split=ValidSplit(4, stratified=True))
    assert len(clf.fit(X, y).history[:, "valid_bacc"]) >= 1


def test_a_monitor_waiting_for_a_rising_score_to_fall_warns(data, tmp_path):
    # EarlyStopping(monitor="valid_bacc") kept skorch's lower_is_better=True
    # for losses and stopped a network whose balanced accuracy rose, silently.
    X, y = data
    split = ValidSplit(4, stratified=True)
    stop = EarlyStopping(monitor="valid_bacc", patience=1)
    clf = LongTailClassifier(callbacks=[stop], train_split=split, **FAST)
    message = (
        r"'EarlyStopping' monitors 'valid_bacc' with lower_is_better=True.*"
        r"EarlyStopping\(monitor='valid_bacc', lower_is_better=False\)"
    )
    # Once per fit, at the caller's line; partial_fit too.
    for train in (clf.fit, clf.partial_fit):
        with pytest.warns(UserWarning, match=message) as record:
            train(X, y)
        assert [w.filename for w in record] == [__file__]
    f1 = EpochScoring("f1_macro", lower_is_better=False)
    clf.set_params(callbacks=[f1, EarlyStopping(monitor="f1_macro")])
    with pytest.warns(UserWarning, match=r"monitors 'f1_macro' with lower_is"):
        clf.fit(X, y)
    # The right direction, and skorch's default on the loss, do not warn.
    for stop in (
        EarlyStopping(monitor="valid_bacc", lower_is_better=False),
        EarlyStopping(),
        Checkpoint(dirname=tmp_path),
        Checkpoint(monitor="valid_bacc_best", dirname=tmp_path),
    ):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            clf.set_params(callbacks=[stop]).fit(X, y)


def test_a_plateau_schedule_in_mode_min_on_a_rising_score_warns(data):
    # LRScheduler(ReduceLROnPlateau, monitor="valid_bacc") kept torch's
    # mode="min" and cut the learning rate of a network whose balanced
    # accuracy rose, down to min_lr, silently.
    X, y = data
    split = ValidSplit(4, stratified=True)
    message = (
        r"'plateau' monitors 'valid_bacc' with mode='min'.*lowers the learning "
        r"rate.*LRScheduler\(policy=ReduceLROnPlateau, monitor='valid_bacc', "
        r"mode='max'\)"
    )
    for policy in ("ReduceLROnPlateau", torch.optim.lr_scheduler.ReduceLROnPlateau):
        plateau = LRScheduler(policy, monitor="valid_bacc", patience=1)
        clf = LongTailClassifier(
            callbacks=[("plateau", plateau)], train_split=split, **FAST
        )
        with pytest.warns(UserWarning, match=message) as record:
            clf.fit(X, y)
        assert [w.filename for w in record] == [__file__]
    # mode="max", the loss in mode="min" and the other policies do not warn.
    for plateau in (
        LRScheduler("ReduceLROnPlateau", monitor="valid_bacc", mode="max"),
        LRScheduler("ReduceLROnPlateau", monitor="valid_loss"),
        LRScheduler("StepLR", monitor="valid_bacc", step_size=1),
    ):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            clf.set_params(callbacks=[plateau]).fit(X, y)


def test_scorers_of_a_positive_label_score_the_codes_of_any_labels(data):
    # The scorers found pos_label=1 among the labels while the targets were
    # codes: for labels 1 and 2, EpochScoring("average_precision") scored
    # the probability of the label 1 against the code 1 (the label 2), and
    # string labels failed ("pos_label=1 is not a valid label").
    X, y = data
    binary = y > 0
    X, y = X[binary], y[binary] - 1

    def scores(labels, scoring):
        score = EpochScoring(scoring, lower_is_better=False, name="valid_score")
        clf = LongTailClassifier(
            callbacks=[score], train_split=ValidSplit(4, stratified=True), **FAST
        ).fit(X, labels)
        assert list(clf.classes_) == sorted(set(labels))
        return clf.history[:, "valid_score"]

    for scoring in ("average_precision", "f1"):
        expected = scores(y, scoring)
        for labels in (y + 1, np.array(["no", "yes"])[y]):
            assert scores(labels, scoring) == expected
    # The column of another code, chosen as pos_label.
    first = make_scorer(
        average_precision_score, pos_label=0, response_method="predict_proba"
    )
    assert scores(np.array(["churn", "stay"])[y], first) == scores(y, first)


def test_batch_scoring_of_predictions_scores_the_codes_of_any_labels(data):
    # BatchScoring compared the predicted labels with the codes: 0.0 for
    # labels 3, 4 and 5 ("y_pred contains classes not in y_true"), and
    # string labels failed ("Mix of label input types").
    X, y = data

    def scores(labels):
        score = BatchScoring(
            "balanced_accuracy", lower_is_better=False, name="valid_score"
        )
        clf = LongTailClassifier(
            callbacks=[score], train_split=ValidSplit(4, stratified=True), **FAST
        )
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            clf.fit(X, labels)
        return clf.history[:, "valid_score"]

    expected = scores(y)
    assert min(expected) > 0
    for labels in (y + 3, np.array(["a", "b", "c"])[y]):
        assert scores(labels) == expected


# What a scorer and a callback saw, for the test below (pickled by name).
_SEEN, _TAKEN = [], {}


def _scorer_taking_copies(net, X, y):
    _SEEN.append(net.classes_.tolist())
    _TAKEN["copy"] = copy.deepcopy(net)
    _TAKEN["pickle"] = pickle.loads(pickle.dumps(net))
    _TAKEN["params"] = net.get_params()
    return 0.0


class _ClassesReader(Callback):
    def on_epoch_end(self, net, **kwargs):
        _SEEN.append(net.classes_.tolist())


def _interrupting_scorer(net, X, y):
    raise KeyboardInterrupt


def test_a_copy_taken_while_a_scorer_runs_keeps_the_labels(data):
    # Only the classifier whose scoring callback runs sees the codes: a
    # copy, a pickle or the parameters taken by a scorer keep the labels, as
    # do the other callbacks and the classifier after an interrupted scorer.
    X, y = data
    labels = np.array(["a", "b", "c"])[y]
    _SEEN.clear()
    score = EpochScoring(_scorer_taking_copies, use_caching=False)
    clf = LongTailClassifier(
        callbacks=[score, _ClassesReader()],
        train_split=ValidSplit(4, stratified=True),
        **FAST,
    ).fit(X, labels)
    assert _SEEN[:2] == [[0, 1, 2], ["a", "b", "c"]]
    for name in ("copy", "pickle"):
        assert _TAKEN[name].classes_.tolist() == ["a", "b", "c"]
        assert np.array_equal(_TAKEN[name].predict(X), clf.predict(X))
    assert _TAKEN["params"].keys() == clf.get_params().keys()
    clf.set_params(callbacks=[EpochScoring(_interrupting_scorer)], max_epochs=1)
    clf.fit(X, labels)
    assert clf.classes_.tolist() == ["a", "b", "c"]


def test_a_subclass_recording_valid_acc_itself_may_monitor_it(data):
    # A subclass of the user's records the accuracy in its on_epoch_end.
    X, y = data

    class Accuracy(LongTailClassifier):
        def on_epoch_end(self, net, **kwargs):
            super().on_epoch_end(net, **kwargs)
            self.history.record("valid_acc", len(self.history) / 10)

    stop = EarlyStopping(monitor="valid_acc", lower_is_better=False)
    clf = Accuracy(callbacks=[stop], train_split=ValidSplit(4), **FAST).fit(X, y)
    assert clf.history[:, "valid_acc"] == [0.1, 0.2]


def test_a_validation_monitor_refused_keeps_the_fitted_network(data):
    # The split removed after a fit: partial_fit and a warm start refuse
    # EarlyStopping before they count the classes or unfit the network.
    X, y = data
    split = ValidSplit(4, stratified=True)
    stop = ("stop", EarlyStopping(patience=10))
    for warm_start in (False, True):
        clf = LongTailClassifier(
            callbacks=[stop], train_split=split, warm_start=warm_start, **FAST
        ).fit(X, y)
        counts, proba = clf.class_counts_.copy(), clf.predict_proba(X)
        clf.set_params(train_split=None)
        with pytest.raises(ValueError, match="monitors 'valid_loss'"):
            clf.fit(X, y) if warm_start else clf.partial_fit(X, y)
        np.testing.assert_array_equal(clf.class_counts_, counts)
        np.testing.assert_array_equal(clf.predict_proba(X), proba)
        assert len(clf.history) == 2


def test_check_is_fitted_follows_the_classifier_whatever_skorch_has(data, monkeypatch):
    # skorch 1.2 has no __sklearn_is_fitted__: scikit-learn's check_is_fitted
    # then took a net never fitted, or whose fit was interrupted, as fitted.
    from skorch import NeuralNet

    monkeypatch.delattr(NeuralNet, "__sklearn_is_fitted__", raising=False)
    X, y = data
    with pytest.raises(NotFittedError):
        check_is_fitted(LongTailClassifier(**FAST))
    clf = LongTailClassifier(callbacks=[_InterruptAt(1)], **FAST)
    with pytest.raises(KeyboardInterrupt):
        clf.fit(X, y)
    with pytest.raises(NotFittedError):
        check_is_fitted(clf)
    check_is_fitted(clf.set_params(callbacks=[]).fit(X, y))


def test_after_an_interrupt_the_next_fit_starts_afresh(data):
    X, y = data
    clf = LongTailClassifier(callbacks=[_InterruptAt(2)], **{**FAST, "max_epochs": 3})
    with pytest.raises(KeyboardInterrupt):
        clf.partial_fit(X, y)
    clf.set_params(callbacks=[])
    clf.partial_fit(X, y)
    assert len(clf.history) == 3 and clf.initialized_
    assert clf.predict(X).shape == (len(X),)


# The losses by name, and the second phase of VSTLALoss, whose class weights
# pi ** -nu are not its ``weight`` buffer (the weighted mean divided by the
# sum of the unit ``weight`` instead).
SAMPLE_WEIGHT_LOSSES = [(loss, {}) for loss in LOSSES] + [
    (
        VSTLALoss,
        dict(criterion__nu=1.0, callbacks=[TruncatedReweighting(start_epoch=0)]),
    )
]


@pytest.mark.parametrize("loss, extra", SAMPLE_WEIGHT_LOSSES)
def test_sample_weight_weights_each_row_of_every_loss(data, loss, extra):
    X, y = data
    weights = np.where(y == 2, 3.0, 1.0)
    # One full batch, plain gradient descent: the first step of the weighted
    # fit equals that of the fit on the rows repeated, batch for batch.
    params = dict(
        max_epochs=1,
        batch_size=-1,
        optimizer=torch.optim.SGD,
        lr=0.1,
        module__hidden_sizes=(8,),
        random_state=0,
        sampler="instance",
        **extra,
    )
    weighted = LongTailClassifier(criterion=loss, **params).fit(
        X, y, sample_weight=weights
    )
    repeated_rows = np.repeat(np.arange(len(y)), weights.astype(int))
    repeated = LongTailClassifier(criterion=loss, **params).fit(
        X[repeated_rows], y[repeated_rows]
    )
    np.testing.assert_allclose(weighted.class_counts_, repeated.class_counts_)
    for a, b in zip(weighted.module_.parameters(), repeated.module_.parameters()):
        torch.testing.assert_close(a, b, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(
        weighted.history[-1, "train_loss"],
        repeated.history[-1, "train_loss"],
        rtol=1e-5,
    )


def test_nll_loss_on_log_probabilities_says_it_takes_probabilities(data):
    # PyTorch's pairing, LogSoftmax then NLLLoss, gives a NaN loss here (the
    # log of the output, skorch's convention); the error spoke of the lr.
    X, y = data
    module = torch.nn.Sequential(
        torch.nn.Linear(X.shape[1], 3), torch.nn.LogSoftmax(dim=-1)
    )
    clf = LongTailClassifier(
        module, criterion=torch.nn.NLLLoss, max_epochs=1, random_state=0
    )
    with pytest.raises(ValueError, match="diverged.*must be probabilities"):
        clf.fit(X, y)


def test_sample_weight_with_nll_loss_weights_the_log_of_the_probabilities(data):
    # skorch's NLLLoss takes the log of the module's probabilities; the
    # weighted loss too, so that the fit equals that on the rows repeated.
    X, y = data
    weights = np.where(y == 2, 3.0, 1.0)
    params = dict(max_epochs=2, batch_size=-1, criterion=torch.nn.NLLLoss)
    params.update(optimizer=torch.optim.SGD, lr=0.1, random_state=0)
    weighted = LongTailClassifier(_SoftmaxOutput, **params)
    weighted.fit(X, y, sample_weight=weights)
    rows = np.repeat(np.arange(len(y)), weights.astype(int))
    repeated = LongTailClassifier(_SoftmaxOutput, **params).fit(X[rows], y[rows])
    np.testing.assert_allclose(
        weighted.history[:, "train_loss"], repeated.history[:, "train_loss"], rtol=1e-5
    )
    for a, b in zip(weighted.module_.parameters(), repeated.module_.parameters()):
        torch.testing.assert_close(a, b, rtol=1e-4, atol=1e-5)


def test_batch_size_minus_one_as_a_numpy_integer(data):
    # a grid given as an array (batch_size=np.array([-1, 32])) hands over
    # np.int64(-1), refused as not "a int among {-1}"
    X, y = data
    expected = LongTailClassifier(**{**FAST, "batch_size": -1}).fit(X, y)
    clf = LongTailClassifier(**{**FAST, "batch_size": np.int64(-1)}).fit(X, y)
    assert clf.history[-1, "batches"][0]["train_batch_size"] == len(y)
    np.testing.assert_allclose(clf.predict_proba(X), expected.predict_proba(X))


def test_count_based_losses_take_weights_that_sum_below_one_per_class(data):
    # class_counts_ are the weight sums; only an empty class is refused.
    X, y = data
    weights = np.full(y.shape, 1e-3, dtype=np.float32)
    clf = LongTailClassifier(criterion="ldam", **FAST).fit(X, y, sample_weight=weights)
    np.testing.assert_allclose(clf.class_counts_, np.bincount(y) * 1e-3, rtol=1e-5)


def test_sample_weight_with_batches_a_split_and_bad_weights(data):
    X, y = data
    weights = np.where(y == 2, 2.0, 1.0)
    weights_copy = weights.copy()
    clf = LongTailClassifier(
        criterion="ldam", train_split=ValidSplit(4, stratified=True), **FAST
    ).fit(X, y, sample_weight=weights)
    np.testing.assert_array_equal(weights, weights_copy)
    train_counts = np.bincount(y) - np.bincount(y) // 4
    np.testing.assert_allclose(clf.class_counts_, train_counts * [1, 1, 2])
    np.testing.assert_allclose(clf.criterion_.class_counts.numpy(), clf.class_counts_)
    assert np.isfinite(clf.history[-1, "valid_loss"])
    with pytest.raises(ValueError, match="non-negative weights; row 0 holds -1.0"):
        LongTailClassifier(**FAST).fit(X, y, sample_weight=-weights)
    with pytest.raises(ValueError, match="sums to zero"):
        LongTailClassifier(**FAST).fit(X, y, sample_weight=0 * weights)
    with pytest.raises(ValueError, match=r"has shape \(3,\); it must hold one"):
        LongTailClassifier(**FAST).fit(X, y, sample_weight=weights[:3])


class _MeanWhateverItsReduction(torch.nn.Module):
    """A loss with a ``reduction`` attribute that it does not follow."""

    def __init__(self, reduction="mean", gives="mean"):
        super().__init__()
        self.reduction = reduction
        self.gives = gives

    def forward(self, logits, target):
        if self.gives == "column":
            losses = torch.nn.functional.cross_entropy(logits, target, reduction="none")
            return losses[:, None]  # one loss per sample, in a column
        loss = torch.nn.functional.cross_entropy(logits, target)
        return loss.item() if self.gives == "item" else loss


@pytest.mark.parametrize(
    "gives, found",
    [("mean", r"\(\)"), ("column", r"\(32, 1\)"), ("item", "a float")],
)
def test_sample_weight_refuses_a_loss_that_gives_other_than_one_per_sample(
    data, gives, found
):
    # the weights were lost without a word: the batch mean times the sum of
    # the weights, divided by it (a column of losses: their sum likewise)
    X, y = data
    clf = LongTailClassifier(
        criterion=_MeanWhateverItsReduction,
        criterion__gives=gives,
        **FAST,
    )
    match = (
        r"_MeanWhateverItsReduction with reduction='none' must give one loss per "
        rf"sample, of shape \(32,\); it gives {found}\. Make it follow"
    )
    with pytest.raises(ValueError, match=match):
        clf.fit(X, y, sample_weight=np.where(y == 2, 3.0, 1.0))
    if gives == "mean":
        clf.fit(X, y)  # without weights, its own mean is the loss


@pytest.mark.parametrize(
    "scale, match",
    [(1e39, "1e[+]39, too large for float32"), (1e-50, "rounds to zero in float32")],
)
def test_sample_weight_out_of_float32_is_refused_by_name(data, scale, match):
    # float32 overflow was refused with a RuntimeWarning from NumPy's cast and
    # "contains infinity or a value too large"; weights that underflow to zero
    # with "Sample weights must contain at least one non-zero number"
    X, y = data
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        with pytest.raises(ValueError, match=match):
            LongTailClassifier(**FAST).fit(X, y, sample_weight=np.full(len(y), scale))


def test_loss_is_a_deprecated_alias_of_criterion(data):
    X, y = data
    clf = LongTailClassifier(loss="logit_adjusted", loss__tau=0.5, **FAST)
    with pytest.warns(FutureWarning, match="'loss' was renamed 'criterion'"):
        clf.fit(X, y)
    assert isinstance(clf.criterion_, LogitAdjustedLoss) and clf.criterion_.tau == 0.5
    assert clone(clf).get_params()["loss"] == "logit_adjusted"
    with pytest.warns(FutureWarning, match="'loss' was renamed"):
        clf.set_params(loss="vs")
    assert isinstance(clf.criterion_, VSLoss)


@pytest.mark.parametrize(
    "params",
    [{"loss": "ldam"}, {"criterion": "logit_adjusted", "loss__tau": 0.5}],
    ids=["loss", "loss__tau"],
)
@pytest.mark.parametrize("method", ["fit", "partial_fit"])
def test_the_renamed_loss_warns_once_per_call(data, params, method):
    # one fit warned three times (the module, the criterion and the class
    # counts each read the renamed parameter)
    X, y = data
    clf = LongTailClassifier(**params, **FAST)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        getattr(clf, method)(X, y)
    renamed = [w for w in caught if "'loss' was renamed" in str(w.message)]
    assert len(renamed) == 1
    assert renamed[0].filename == __file__


@pytest.mark.parametrize(
    "params, match",
    [
        (
            {"loss": "focal", "criterion": "ldam"},
            "loss='focal' and criterion='ldam' are both given",
        ),
        (
            {"criterion": "focal", "loss__gamma": 3.0, "criterion__gamma": 1.0},
            "loss__gamma and criterion__gamma are both given",
        ),
    ],
    ids=["loss", "loss__gamma"],
)
def test_the_renamed_loss_given_with_the_criterion_is_refused(data, params, match):
    # either one was dropped: loss="focal" with criterion="ldam" trained a
    # focal loss, criterion__gamma=1.0 won over loss__gamma=3.0
    X, y = data
    clf = LongTailClassifier(**params, **FAST)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        with pytest.raises(ValueError, match=match):
            clf.fit(X, y)
    with pytest.raises(NotFittedError):
        clf.predict(X)


def test_the_renamed_loss_warns_at_initialize_and_at_a_warm_fit(data):
    X, y = data
    sizes = {"module__n_features": X.shape[1], "module__n_classes": 3}
    clf = LongTailClassifier(loss="focal", warm_start=True, **sizes, **FAST)
    for call in (clf.initialize, lambda: clf.fit(X, y), lambda: clf.fit(X, y)):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            call()
        renamed = [w for w in caught if "'loss' was renamed" in str(w.message)]
        assert len(renamed) == 1


@pytest.mark.parametrize(
    "criterion",
    ["ldam", LDAMLoss, KPSLoss, LDAMLoss([100, 10, 1]), "logit_adjusted"],
    ids=["name", "class", "kps_class", "instance", "linear"],
)
def test_the_cosine_head_follows_the_criterion(data, criterion):
    X, y = data
    clf = LongTailClassifier(criterion=criterion, **FAST).fit(X, y)
    cosine = getattr(clf.criterion_, "cosine_logits", False)
    assert cosine == (criterion != "logit_adjusted")
    head = clf.module_.classifier
    assert isinstance(head, NormedLinear if cosine else torch.nn.Linear)


def test_a_criterion_instance_follows_the_class_counts(data):
    X, y = data
    ldam = LDAMLoss([1, 1, 1])
    clf = LongTailClassifier(criterion=ldam, **FAST).fit(X, y)
    assert clf.criterion_ is ldam
    np.testing.assert_array_equal(ldam.class_counts.numpy(), np.bincount(y))
    fixed = LongTailClassifier(
        criterion="ldam", criterion__class_counts=[5, 5, 5], **FAST
    ).fit(X, y)
    np.testing.assert_array_equal(fixed.criterion_.class_counts.numpy(), [5, 5, 5])


def test_criterion_class_counts_of_value_counts_are_read_by_label(data):
    # y.value_counts() of text labels, in the order of the counts, was read
    # by position: the loss gave class "a" the count of the largest class.
    pd = pytest.importorskip("pandas")
    X, y = data
    labels = np.array(["b", "c", "a"])[y]
    counts = pd.Series(labels).value_counts()
    clf = LongTailClassifier(
        criterion="logit_adjusted", criterion__class_counts=counts, **FAST
    ).fit(X, labels)
    expected = counts[clf.classes_].to_numpy() / counts.sum()
    np.testing.assert_allclose(clf.criterion_.log_prior.exp().numpy(), expected)
    with pytest.raises(ValueError, match="criterion__class_counts has no value"):
        clf.set_params(criterion__class_counts=counts.drop("a")).fit(X, labels)


@pytest.mark.parametrize("criterion", ["logit_adjusted", "ldam", "vs"])
def test_criterion_class_counts_of_another_number_of_classes_is_refused(
    data, criterion
):
    # Counts of two classes for three failed at the first batch with
    # "LogitAdjustedLoss expects logits of shape (n_samples, 2); got (.., 3)",
    # which blamed the network, not the counts.
    X, y = data
    labels = np.array(["b", "c", "a"])[y]
    for counts, end in (([30, 20], "$"), ([30, 20, 10, 5], " Where a class")):
        clf = LongTailClassifier(
            criterion=criterion, criterion__class_counts=counts, **FAST
        )
        with pytest.raises(
            ValueError,
            match=rf"criterion__class_counts has {len(counts)} values; it must "
            r"hold one count per class, 3 here \(\['a', 'b', 'c'\]\), in the "
            rf"order of classes_\.{end}",
        ):
            clf.fit(X, labels)


def test_criterion_weight_and_counts_in_a_labelled_array_are_by_position(data):
    # An xarray DataArray has a loc, read as a pandas object's by label: the
    # fit failed with "'DataArray' object has no attribute 'index'".
    from tests.post_hoc.test_logit_adjustment import _LabelledArray

    X, y = data
    weight, counts = [1.0, 2.0, 3.0], [30, 20, 10]
    fitted = [
        LongTailClassifier(
            criterion="ldam",
            criterion__weight=make(weight),
            criterion__class_counts=make(counts),
            **FAST,
        ).fit(X, y)
        for make in (np.array, _LabelledArray)
    ]
    np.testing.assert_array_equal(*(clf.predict_proba(X) for clf in fitted))


@pytest.mark.parametrize("criterion", ["ce", "focal", "ldam"])
def test_criterion_weight_that_is_not_finite_is_refused_by_name(data, criterion):
    # A NaN weight made the first loss NaN: "the training diverged ... Use a
    # smaller lr, scale the input", advice that could not help. A tensor too,
    # which torch's cross-entropy keeps as given.
    X, y = data
    for weight in (
        [1.0, np.nan, 2.0],
        np.array([1.0, 2.0, np.inf]),
        torch.tensor([1.0, np.nan, 2.0]),
    ):
        clf = LongTailClassifier(criterion=criterion, criterion__weight=weight, **FAST)
        with pytest.raises(ValueError, match="weight must hold finite float32 values"):
            clf.fit(X, y)
    for weight in ([1.0, 2j, 1.0], torch.tensor([1.0, 2j, 1.0])):
        clf.set_params(criterion__weight=weight)
        with pytest.raises(ValueError, match="weight must hold real numbers"):
            clf.fit(X, y)


class _OwnCrossEntropy(torch.nn.CrossEntropyLoss):
    """torch's cross-entropy under another name, with torch's ``__init__``."""


@pytest.mark.parametrize(
    "criterion",
    ["ce", torch.nn.CrossEntropyLoss, torch.nn.CrossEntropyLoss(), _OwnCrossEntropy],
)
def test_criterion_weight_of_torch_loss_takes_an_array_or_a_series(data, criterion):
    # torch's CrossEntropyLoss keeps weight as a buffer: an array (from
    # compute_class_weight), or a Series given by label as documented, failed
    # with "cannot assign 'numpy.ndarray' object to buffer 'weight' (torch
    # Tensor or None required)".
    pd = pytest.importorskip("pandas")
    X, y = data
    labels = np.array(["c", "a", "b"])[y]
    weight = [1.0, 2.0, 3.0]  # of the sorted classes a, b, c
    by_label = pd.Series({"c": 3.0, "b": 2.0, "a": 1.0})
    fitted = [
        LongTailClassifier(criterion=criterion, criterion__weight=w, **FAST).fit(
            X, labels
        )
        # a Series of the default index is read by position
        for w in (
            torch.tensor(weight),
            np.array(weight),
            weight,
            by_label,
            pd.Series(weight),
        )
    ]
    for clf in fitted[1:]:
        assert clf.criterion_.weight.dtype == torch.float32
        np.testing.assert_array_equal(clf.criterion_.weight.numpy(), weight)
        np.testing.assert_array_equal(clf.predict_proba(X), fitted[0].predict_proba(X))


@pytest.mark.parametrize(
    "criterion, name, value",
    [
        ("ce", "weight", {"c": 3.0, "a": 1.0, "b": 2.0}),
        (torch.nn.CrossEntropyLoss(), "weight", "balanced"),
        ("focal", "weight", {"c": 3.0, "a": 1.0, "b": 2.0}),
        ("ldam", "class_counts", {"c": 10, "a": 30, "b": 20}),
        ("logit_adjusted", "class_counts", {10, 20, 30}),
        ("ce", "weight", {"c": 3.0, "a": 1.0, "b": 2.0}.values()),
    ],
)
def test_per_class_criterion_values_by_label_without_order_are_named(
    data, criterion, name, value
):
    # A dict keyed by label, as scikit-learn's class_weight, failed with
    # torch's "cannot assign 'dict' object to buffer 'weight' (torch Tensor or
    # None required)" or with the loss's "weight should be an array-like of
    # values (a list, a tuple or an array), got a dict", which named neither
    # criterion__weight nor the order of the classes.
    X, y = data
    labels = np.array(["c", "a", "b"])[y]
    clf = LongTailClassifier(
        criterion=criterion, **{f"criterion__{name}": value}, **FAST
    )
    by_label = r" \(pd\.Series of the dict is read by label\)"
    with pytest.raises(
        ValueError,
        match=rf"criterion__{name} is a {type(value).__name__}, .*; give one "
        r".* per class, as a list or an array in the order of classes_ "
        r"\['a', 'b', 'c'\], or as a pandas Series indexed by the classes"
        rf"{by_label if isinstance(value, dict) else ''}\.$",
    ):
        clf.fit(X, labels)


@pytest.mark.parametrize(
    "criterion, name, remedy",
    [
        ("ce", "weight", "pass every label as classes="),
        (torch.nn.CrossEntropyLoss(), "weight", "pass every label as classes="),
        ("focal", "weight", "pass every label as classes="),
        ("ldam", "weight", "use fewer folds, or more rows per fit"),
        ("ldam", "class_counts", "pass every label as classes="),
    ],
)
def test_per_class_criterion_values_for_a_class_missing_from_y_say_so(
    data, criterion, name, remedy
):
    # A cross-validation fold or a halving search's subset without a rare
    # class has fewer classes than the values given for the whole data: the
    # fit failed with torch's "weight tensor should be defined either for all
    # 2 classes or no classes", FocalLoss's "has 3 class weights; the logits
    # have 2 classes", or "LDAMLoss expects logits of shape (n_samples, 3)".
    X, y = data
    values = [1.0, 2.0, 3.0] if name == "weight" else [30, 20, 10]
    what = "weight" if name == "weight" else "count"
    kept = y != 2
    clf = LongTailClassifier(
        criterion=criterion, **{f"criterion__{name}": values}, **FAST
    )
    with pytest.raises(
        ValueError,
        match=rf"criterion__{name} has 3 values; it must hold one {what} per "
        r"class, 2 here \(\[0, 1\]\), in the order of classes_\. Where a class "
        rf"is missing .*{remedy}",
    ):
        clf.fit(X[kept], y[kept])
    if remedy.startswith("pass"):
        clf.set_params(classes=[0, 1, 2]).fit(X[kept], y[kept])
        assert clf.predict_proba(X).shape == (len(X), 3)
    # fewer values than classes, or classes given: no advice on a missing class
    four = (np.vstack([X, X[:8]]), np.r_[y, [3] * 8])
    for classes, (fit_X, fit_y) in ((None, four), ([0, 1], (X[kept], y[kept]))):
        with pytest.raises(
            ValueError,
            match=rf"criterion__{name} has 3 values; it must hold one {what} per "
            rf"class, {len(np.unique(fit_y))} here .*, in the order of classes_\.$",
        ):
            clf.set_params(classes=classes).fit(fit_X, fit_y)


def test_partial_fit_accumulates_the_counts_and_the_loss_follows(data):
    X, y = data
    clf = LongTailClassifier(criterion="ldam", **FAST)
    first = y != 2
    # The first chunk lacks class 2: the loss counts it as one until seen.
    clf.partial_fit(X[first], y[first], classes=[0, 1, 2])
    np.testing.assert_array_equal(clf.class_counts_, [*np.bincount(y[first]), 0])
    np.testing.assert_array_equal(
        clf.criterion_.class_counts.numpy(), [*np.bincount(y[first]), 1]
    )
    criterion = clf.criterion_
    clf.partial_fit(X, y)
    total = np.bincount(y[first], minlength=3) + np.bincount(y)
    np.testing.assert_array_equal(clf.class_counts_, total)
    assert clf.criterion_ is criterion  # updated in place
    np.testing.assert_array_equal(clf.criterion_.class_counts.numpy(), total)
    np.testing.assert_allclose(
        clf.criterion_.margins.numpy(), LDAMLoss(total).margins.numpy()
    )
    # A new fit starts the counts again.
    clf.fit(X, y)
    np.testing.assert_array_equal(clf.class_counts_, np.bincount(y))


def test_transform_gives_the_penultimate_features(data):
    X, y = data
    clf = LongTailClassifier(**{**FAST, "module__dropout": 0.5, "batch_size": 50}).fit(
        X, y
    )
    features = clf.transform(X)
    assert features.dtype == np.float32 and features.shape == (len(X), 16)
    with torch.no_grad():
        expected = clf.module_.features(torch.as_tensor(X, dtype=torch.float32))
    np.testing.assert_allclose(features, expected.numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(clf.transform(X), features)  # eval mode
    names = clf.get_feature_names_out()
    assert names.dtype == object and list(names[:2]) == [
        "longtailclassifier0",
        "longtailclassifier1",
    ]
    assert len(names) == 16
    with pytest.raises(NotFittedError):
        LongTailClassifier().transform(X)
    with pytest.raises(ValueError, match="X has 4 features"):
        clf.transform(X[:, :4])


def test_get_feature_names_out_checks_the_number_of_input_features(data):
    # Fitted without feature names, any input_features were accepted, where
    # scikit-learn's transformers refuse those of the wrong length.
    X, y = data
    clf = LongTailClassifier(**{**FAST, "max_epochs": 1}).fit(X, y)
    expected = clf.get_feature_names_out()
    assert list(clf.get_feature_names_out(["a", "b", "c", "d", "e"])) == list(expected)
    with pytest.raises(ValueError, match=r"number of features \(5\), got 2"):
        clf.get_feature_names_out(["a", "b"])


def test_get_feature_names_out_checks_the_input_features_against_the_names(data):
    pd = pytest.importorskip("pandas")
    X, y = data
    frame = pd.DataFrame(X, columns=list("abcde"))
    clf = LongTailClassifier(**{**FAST, "max_epochs": 1}).fit(frame, y)
    assert len(clf.get_feature_names_out(list("abcde"))) == 16
    with pytest.raises(ValueError, match="input_features is not equal to feature_na"):
        clf.get_feature_names_out(list("abcdx"))


def test_transform_feeds_a_classical_step_in_a_pipeline(data):
    from imblearn.pipeline import Pipeline

    pd = pytest.importorskip("pandas")
    X, y = data
    pipe = Pipeline(
        [
            ("net", LongTailClassifier(**FAST)),
            ("plugin", PluginClassifier(LogisticRegression(), cv=2)),
        ]
    ).fit(X, y)
    assert pipe.predict(X).shape == (len(X),)
    assert pipe.predict_proba(X).shape == (len(X), 3)
    net = pipe.named_steps["net"]
    assert pipe.named_steps["plugin"].n_features_in_ == 16
    out = net.set_output(transform="pandas").transform(X)
    assert isinstance(out, pd.DataFrame)
    assert list(out.columns) == list(net.get_feature_names_out())


def test_device_cuda_without_a_gpu_is_a_clear_error_and_auto_works(data):
    X, y = data
    if not torch.cuda.is_available():
        with pytest.raises(ValueError, match="torch finds no CUDA device"):
            LongTailClassifier(device="cuda", **FAST).fit(X, y)
    # torch's error named neither the parameter nor the classifier
    for device in ("CPU", "gpu"):
        with pytest.raises(ValueError, match="'device' parameter of LongTail"):
            LongTailClassifier(device=device, **FAST).fit(X, y)
    clf = LongTailClassifier(device="auto", **FAST).fit(X, y)
    expected = "cuda" if torch.cuda.is_available() else "cpu"
    assert clf.device == expected
    assert clf.get_params()["device"] == "auto"
    assert clone(clf).get_params()["device"] == "auto"
    assert next(clf.module_.parameters()).device.type == expected
    assert clf.predict(X).shape == (len(X),)
    restored = pickle.loads(pickle.dumps(clf))
    assert restored.get_params()["device"] == "auto"
    np.testing.assert_array_equal(restored.predict_proba(X), clf.predict_proba(X))


class _Items(torch.utils.data.Dataset):
    """A map-style Dataset of ``(x, y)`` items (or ``x`` alone without y)."""

    def __init__(self, X, y=None):
        self.X, self.y = X, y

    def __len__(self):
        return len(self.X)

    def __getitem__(self, i):
        return self.X[i] if self.y is None else (self.X[i], self.y[i])


@pytest.mark.parametrize("dataset", [Dataset, _Items])
def test_big_endian_dataset_trains_as_its_native_copy(data, dataset):
    # The arrays of a Dataset in the other byte order (read from a
    # big-endian file) failed with torch's "given numpy array has byte order
    # different from the native byte order"; arrays given to fit did not.
    X, y = data
    X = X.astype(np.float32)
    params = dict(FAST, classes=[0, 1, 2])
    native = LongTailClassifier(**params).fit(dataset(X, y), None)
    swapped = LongTailClassifier(**params).fit(
        dataset(X.astype(">f4"), y.astype(">i8")), None
    )
    np.testing.assert_array_equal(
        swapped.predict_proba(dataset(X.astype(">f4"), y)),
        native.predict_proba(X),
    )


def _tensor_dataset(X, y):
    return torch.utils.data.TensorDataset(torch.as_tensor(X), torch.as_tensor(y))


@pytest.mark.parametrize("make_dataset", [_tensor_dataset, _Items])
@pytest.mark.parametrize(
    "params",
    [
        {},
        {"sampler": "class_balanced", "criterion": "ldam"},
        {"train_split": ValidSplit(4, stratified=True)},
    ],
    ids=["instance", "class_balanced", "valid_split"],
)
def test_a_dataset_trains_as_its_arrays(data, make_dataset, params):
    X, y = data
    X = X.astype(np.float32)
    labels = np.array([10, 20, 30])
    arrays = LongTailClassifier(**FAST, **params).fit(X, labels[y])
    dataset = LongTailClassifier(**FAST, **params).fit(make_dataset(X, labels[y]))
    np.testing.assert_array_equal(dataset.classes_, [10, 20, 30])
    np.testing.assert_array_equal(dataset.class_counts_, arrays.class_counts_)
    expected = arrays.predict_proba(X)
    np.testing.assert_array_equal(dataset.predict_proba(X), expected)
    assert dataset.history[-1, "train_loss"] == arrays.history[-1, "train_loss"]
    # predict, predict_proba and transform take a Dataset too
    for items in (make_dataset(X, labels[y]), _Items(X)):
        np.testing.assert_array_equal(dataset.predict_proba(items), expected)
        np.testing.assert_array_equal(dataset.predict(items), arrays.predict(X))
        np.testing.assert_array_equal(dataset.transform(items), arrays.transform(X))


def test_a_skorch_dataset_of_text_labels_trains_as_its_arrays(data):
    X, y = data
    X = X.astype(np.float32)
    labels = np.array(["a", "b", "c"])[y]
    arrays = LongTailClassifier(**FAST).fit(X, labels)
    dataset = LongTailClassifier(**FAST).fit(Dataset(X, labels))
    np.testing.assert_array_equal(dataset.classes_, ["a", "b", "c"])
    np.testing.assert_array_equal(dataset.class_counts_, arrays.class_counts_)
    np.testing.assert_array_equal(dataset.predict_proba(X), arrays.predict_proba(X))
    for kind in (str, object):
        items = Dataset(X, labels.astype(kind))
        np.testing.assert_array_equal(dataset.predict(items), arrays.predict(X))


def test_a_predefined_validation_dataset_is_read_with_the_classes_labels(data):
    X, y = data
    labels = np.array([0, 2, 5])[y]
    valid = Dataset(X[:60], labels[:60])  # float64: read as float32 too
    X = X.astype(np.float32)
    split = predefined_split(valid)
    clf = LongTailClassifier(train_split=split, **FAST).fit(X, labels)
    # valid_bacc compares labels, not the labels with the codes of others
    expected = balanced_accuracy_score(labels[:60], clf.predict(X[:60]))
    assert clf.history[-1, "valid_bacc"] == pytest.approx(expected)
    np.testing.assert_array_equal(clf.predict(valid), clf.predict(X[:60]))
    text = np.array(["a", "b", "c"])
    valid = _Items(X[:60], text[y[:60]])
    split = predefined_split(valid)
    clf = LongTailClassifier(train_split=split, **FAST).fit(X, text[y])
    np.testing.assert_array_equal(clf.predict(valid), clf.predict(X[:60]))
    split = predefined_split(Dataset(X[:5], np.full(5, 7)))
    with pytest.raises(ValueError, match=r"labels \[7\] that are not among"):
        LongTailClassifier(train_split=split, **FAST).fit(X, y)
    split = predefined_split(Dataset(X[:5]))
    with pytest.raises(ValueError, match="Dataset of predefined_split has no labels"):
        LongTailClassifier(train_split=split, **FAST).fit(X, y)


def _predefined_validation(X, labels, rows):
    """The inputs and codes of the validation batches of a predefined split."""
    seen = []

    class Record(Callback):
        def on_epoch_end(self, net, dataset_valid=None, **kwargs):
            seen.append(dataset_valid)

    split = predefined_split(Dataset(X[rows].astype(np.float64), labels[rows]))
    clf = LongTailClassifier(train_split=split, callbacks=[Record()], **FAST)
    clf.fit(X, labels)
    loader = clf.get_iterator(seen[-1])
    assert isinstance(loader, SliceLoader)
    return (torch.cat(part).numpy() for part in zip(*loader))


def test_an_in_memory_predefined_validation_dataset_is_sliced(data):
    # Wrapped to encode its labels, it was read item by item at each epoch.
    X, y = data
    X = X.astype(np.float32)
    labels = np.array([0, 2, 5])[y]
    X_valid, codes = _predefined_validation(X, labels, np.arange(60))
    np.testing.assert_array_equal(X_valid, X[:60])
    np.testing.assert_array_equal(codes, y[:60])


def test_a_predefined_validation_dataset_lacking_a_class_keeps_the_codes(data):
    # Its labels are encoded as the training labels are, by their position
    # in classes_, not among the labels it holds.
    X, y = data
    X = X.astype(np.float32)
    labels = np.array([0, 2, 5])[y]
    rows = np.flatnonzero(labels != 0)[:30]
    _, codes = _predefined_validation(X, labels, rows)
    np.testing.assert_array_equal(codes, y[rows])
    assert sorted(set(codes.tolist())) == [1, 2]


def test_samplers_and_sample_weight_work_with_a_dataset(data):
    X, y = data
    X = X.astype(np.float32)
    seen = []

    class Record(torch.utils.data.DataLoader):
        def __iter__(self):
            for Xb, yb in super().__iter__():
                seen.append(yb)
                yield Xb, yb

    clf = LongTailClassifier(
        sampler="class_balanced", iterator_train=Record, **FAST
    ).fit(_Items(X, y))
    drawn = np.bincount(torch.cat(seen).numpy(), minlength=3) / (2 * len(y))
    np.testing.assert_allclose(drawn, 1 / 3, atol=0.08)
    assert isinstance(clf.train_sampler_.sampler, ClassBalancedSampler)
    weights = np.linspace(0.5, 2.0, len(y))
    arrays = LongTailClassifier(**FAST).fit(X, y, sample_weight=weights)
    dataset = LongTailClassifier(**FAST).fit(_Items(X, y), sample_weight=weights)
    np.testing.assert_allclose(dataset.class_counts_, arrays.class_counts_)
    np.testing.assert_array_equal(dataset.predict_proba(X), arrays.predict_proba(X))


def test_partial_fit_names_labels_of_another_type_than_the_classes(data):
    X, y = data
    clf = LongTailClassifier(**FAST).fit(X, y)
    proba = clf.predict_proba(X)
    with pytest.raises(ValueError, match=r"unseen labels \['a', 'b', 'c'\]; the"):
        clf.partial_fit(X, np.array(["a", "b", "c"])[y])
    np.testing.assert_array_equal(clf.predict_proba(X), proba)


def test_partial_fit_takes_text_digits_as_labels_apart_from_integers(data):
    X, y = data
    clf = LongTailClassifier(**FAST).fit(X, y)
    with pytest.raises(ValueError, match=r"unseen labels \['0', '1', '2'\]; the"):
        clf.partial_fit(X, y.astype(str))


class _OwnTransform(Dataset):
    """A skorch Dataset with a transform of its own, giving skorch's items."""

    def transform(self, X, y):
        return super().transform(X, y)


def test_a_dataset_class_of_the_users_gives_its_labels_to_the_sampler(data):
    # Its labels were not read: every sampler was refused ("does not expose
    # them"), and with iterator_train__shuffle=True the class counts of a
    # split were those of the whole data.
    X, y = data
    X = X.astype(np.float32)
    params = dict(train_split=ValidSplit(5, stratified=True), **FAST)
    for sampler in ("instance", "class_balanced"):
        arrays = LongTailClassifier(sampler=sampler, **params).fit(X, y)
        own = LongTailClassifier(dataset=_OwnTransform, sampler=sampler, **params)
        own.fit(X, y)
        np.testing.assert_array_equal(own.class_counts_, arrays.class_counts_)
        np.testing.assert_array_equal(own.predict_proba(X), arrays.predict_proba(X))
    own = LongTailClassifier(
        dataset=_OwnTransform, iterator_train__shuffle=True, **params
    ).fit(X, y)
    np.testing.assert_array_equal(own.class_counts_, arrays.class_counts_)
    weights = np.linspace(0.5, 2.0, len(y))
    arrays = LongTailClassifier(**FAST).fit(X, y, sample_weight=weights)
    own = LongTailClassifier(dataset=_OwnTransform, **FAST)
    own.fit(X, y, sample_weight=weights)
    np.testing.assert_allclose(own.class_counts_, arrays.class_counts_)


class _Reversed(_Items):
    """A torch Dataset taking X and y whose item i is row n - 1 - i."""

    def __getitem__(self, i):
        return super().__getitem__(len(self) - 1 - i)


class _OwnItems(Dataset):
    """A skorch Dataset whose own __getitem__ gives item i the next row."""

    def __getitem__(self, i):
        return super().__getitem__((i + 1) % len(self))


@pytest.mark.parametrize("kind", [_Reversed, _OwnItems])
def test_a_dataset_class_making_its_own_items_is_not_given_the_labels(data, kind):
    # Its items need not be rows 0, 1, ... of y: labels given to the sampler
    # by row would be those of other rows.
    X, y = data
    X = X.astype(np.float32)
    clf = LongTailClassifier(dataset=kind, sampler="class_balanced", **FAST)
    with pytest.raises(ValueError, match="does not expose them"):
        clf.fit(X, y)


def test_forward_in_training_mode_takes_every_row_whatever_iterator_train(data):
    # iterator_train__shuffle=True shuffled the outputs, and with
    # iterator_train__drop_last=True forward was refused ("needs the labels").
    X, y = data
    X = X.astype(np.float32)
    options = {"iterator_train__shuffle": True, "iterator_train__drop_last": True}
    for name, value in options.items():
        clf = LongTailClassifier(**{name: value}, **FAST).fit(X, y)
        expected = clf.forward(X).numpy()
        out = clf.forward(X, training=True).detach().numpy()
        np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-6)


def test_forward_in_training_mode_keeps_the_order_of_the_rows(data):
    # The sampler drew the batches: the rows came back shuffled (or repeated),
    # the fitted sampler was replaced, and a Dataset without labels was
    # refused ("does not expose them").
    X, y = data
    X = X.astype(np.float32)
    clf = LongTailClassifier(sampler="class_balanced", **FAST).fit(X, y)
    fitted = clf.train_sampler_
    expected = clf.forward(X).numpy()  # no dropout: the same in training mode
    tensors = torch.as_tensor(X), torch.as_tensor(y)
    for given in (X, Dataset(X), Dataset(X, y), TensorDataset(*tensors)):
        out = clf.forward(given, training=True).detach().numpy()
        np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-6)
    assert clf.train_sampler_ is fitted


def test_a_class_first_seen_in_a_later_chunk_is_refused_with_what_to_do(data):
    # chunks in time order, the third class arriving late: the refusals said
    # only that the classes must stay the same, not to give them all first
    X, y = data
    first, later = y != 2, np.arange(y.size) >= 120
    clf = LongTailClassifier(**FAST).partial_fit(X[first], y[first])
    with pytest.raises(
        ValueError, match=r"unseen labels \[2\].*every label as classes"
    ):
        clf.partial_fit(X[later], y[later])
    # a network first trained by fit takes the classes as a parameter
    clf = LongTailClassifier(**FAST).fit(X[first], y[first])
    with pytest.raises(ValueError, match=r"classes \(to the classifier, or at"):
        clf.partial_fit(X[later], y[later])
    clf.set_params(classes=[0, 1, 2]).fit(X[first], y[first])
    clf.partial_fit(X[later], y[later])
    clf = LongTailClassifier(**FAST).partial_fit(X[first], y[first], classes=[0, 1, 2])
    clf.partial_fit(X[later], y[later])
    np.testing.assert_array_equal(clf.classes_, [0, 1, 2])
    warm = LongTailClassifier(warm_start=True, **FAST).fit(X[first], y[first])
    with pytest.raises(ValueError, match=r"y has \[0, 1, 2\]\. Set classes to every"):
        warm.fit(X, y)
    warm = LongTailClassifier(warm_start=True, classes=[0, 1, 2], **FAST)
    warm.fit(X[first], y[first]).fit(X, y)
    with pytest.raises(ValueError, match=r"y has \[0, 1, 2, 7\]\.$"):
        warm.fit(np.r_[X, X[:1]], np.r_[y, 7])


def test_partial_fit_takes_a_dataset_and_names_unseen_labels(data):
    X, y = data
    X = X.astype(np.float32)
    clf = LongTailClassifier(**FAST)
    clf.partial_fit(_Items(X[:120], y[:120]), classes=[0, 1, 2])
    clf.partial_fit(_Items(X[120:], y[120:]))
    np.testing.assert_array_equal(clf.class_counts_, np.bincount(y))
    with pytest.raises(ValueError, match="previously unseen labels"):
        clf.partial_fit(_Items(X[:5], np.full(5, 7)))
    with pytest.raises(ValueError, match=r"labels \[7\] that are not in classes"):
        LongTailClassifier(classes=[0, 1], **FAST).fit(_Items(X[:5], np.full(5, 7)))


@pytest.mark.parametrize(
    "dataset, match",
    [
        (lambda X, y: _Items(X), "not an \\(x, y\\) pair"),
        (
            lambda X, y: torch.utils.data.TensorDataset(torch.as_tensor(X)),
            "has no labels",
        ),
        (lambda X, y: _Items([*X[:3], X[3, :2]], y), "item 0 one of shape \\(5,\\)"),
        (lambda X, y: _Items(np.where(X > 2, np.nan, X), y), "NaN or infinity"),
        (lambda X, y: _Items(list(X[:, 0]), y), "scalar input"),
        (lambda X, y: _Items(X, y[:, None]), "label of shape \\(1,\\)"),
        (lambda X, y: _Items(X[:0], y[:0]), "is empty"),
    ],
)
def test_a_bad_dataset_raises_a_clear_error(data, dataset, match):
    X, y = data
    with pytest.raises(ValueError, match=match):
        LongTailClassifier(**FAST).fit(dataset(X.astype(np.float32), y))


def test_sequences_of_varying_length_are_told_to_be_padded_in_the_dataset():
    # skorch trains on them through a collate_fn that pads each batch; the
    # refusal said only "every input must have the same shape".
    rng = np.random.RandomState(0)
    sequences = [torch.as_tensor(rng.randint(1, 10, size=n)) for n in (4, 4, 3, 5)]

    def pad(batch):
        inputs, labels = zip(*batch)
        padded = torch.nn.utils.rnn.pad_sequence(inputs, batch_first=True)
        return padded, torch.as_tensor(labels)

    clf = LongTailClassifier(
        module=_TokenBag(cast=True), max_epochs=1, iterator_train__collate_fn=pad
    )
    match = r"same shape\. Pad inputs of varying length .* collate_fn"
    with pytest.raises(ValueError, match=match):
        clf.fit(_Items(sequences, [0, 1, 0, 1]))


def test_a_dataset_with_y_or_of_the_wrong_kind_is_refused(data):
    X, y = data
    clf = LongTailClassifier(**FAST)
    with pytest.raises(ValueError, match="y must be None when X is a torch Dataset"):
        clf.fit(_Items(X, y), y)
    with pytest.raises(TypeError, match="input of type str"):
        clf.fit(_Items(["a", "b"], [0, 1]))

    class Stream(torch.utils.data.IterableDataset):
        def __iter__(self):
            return iter(zip(X, y))

    with pytest.raises(TypeError, match="map-style torch Dataset"):
        clf.fit(Stream())
    clf.fit(X, y)
    with pytest.raises(ValueError, match=r"fitted on samples of shape \(5,\)"):
        clf.predict(_Items(X[:, :3]))
    with pytest.raises(ValueError, match="X has 3 features"):
        clf.predict(_tensor_dataset(X[:, :3], y))
    # Items after the first are checked as they are read (NaN input gave
    # class 0, a shorter one torch's collate error).
    X_nan = np.where(np.arange(len(X))[:, None] == 7, np.nan, X)
    with pytest.raises(ValueError, match="Item 7 .* NaN or infinity"):
        clf.predict(_Items(X_nan))
    with pytest.raises(ValueError, match=r"Item 3 .* shape \(2,\), item 0 one"):
        clf.transform(_Items([*X[:3], X[3, :2]]))


def test_dataset_values_beyond_float32_are_refused_as_in_arrays(data):
    # float64 inputs above float32's range became infinite in the network:
    # fit said "the training diverged", predict_proba gave NaN rows.
    X, y = data
    X_big = X.copy()
    X_big[3, 1] = 1e300
    match = "Item 3 .* too large for float32"
    with pytest.raises(ValueError, match=match):
        LongTailClassifier(**FAST).fit(_Items(X_big, y))
    clf = LongTailClassifier(**FAST).fit(_Items(X, y))
    with pytest.raises(ValueError, match=match):
        clf.predict_proba(_Items(X_big))


def test_tensors_that_require_grad_or_are_bfloat16_are_read_as_arrays(data):
    # NumPy cannot read them: fit and predict failed in np.asarray ("Can't
    # call numpy() on Tensor that requires grad", "unsupported ScalarType
    # BFloat16"), where skorch takes them.
    X, y = data
    X_t = torch.as_tensor(X, dtype=torch.float32)
    clf = LongTailClassifier(**FAST).fit(
        X_t.clone().requires_grad_(), torch.as_tensor(y)
    )
    expected = LongTailClassifier(**FAST).fit(X, y).predict_proba(X)
    np.testing.assert_array_equal(clf.predict_proba(X), expected)
    np.testing.assert_array_equal(clf.predict_proba(X_t.requires_grad_()), expected)
    half = X_t.detach().bfloat16()
    np.testing.assert_array_equal(clf.predict(half), clf.predict(half.float().numpy()))
    assert np.array_equal(clf.transform(half), clf.transform(half.float().numpy()))


def test_a_bfloat16_tensor_dataset_and_tensor_weights_are_read_as_arrays(data):
    # A TensorDataset's tensors and sample_weight went to NumPy as they
    # were: "Got unsupported ScalarType BFloat16", "Can't call numpy() on
    # Tensor that requires grad".
    X, y = data
    half = torch.as_tensor(X, dtype=torch.float32).bfloat16()
    weights = torch.linspace(0.5, 2.0, len(y)).bfloat16()
    expected = LongTailClassifier(**FAST).fit(
        half.float().numpy(), y, sample_weight=weights.float().numpy()
    )
    for sample_weight in (weights, weights.float().requires_grad_()):
        clf = LongTailClassifier(**FAST).fit(
            _tensor_dataset(half, y), sample_weight=sample_weight
        )
        np.testing.assert_array_equal(clf.predict_proba(X), expected.predict_proba(X))
    dataset = torch.utils.data.TensorDataset(half)
    np.testing.assert_array_equal(
        clf.predict_proba(dataset), clf.predict_proba(half.float().numpy())
    )


def test_a_data_loader_is_refused_naming_its_dataset(data):
    # fit said that y was required, predict failed in float().
    X, y = data
    loader = DataLoader(_tensor_dataset(X, y), batch_size=16)
    clf = LongTailClassifier(**FAST)
    with pytest.raises(ValueError, match=r"DataLoader.*\(X\.dataset\)"):
        clf.fit(loader)
    clf.fit(X, y)
    expected = clf.predict_proba(X)
    for method in (clf.partial_fit, clf.predict, clf.predict_proba, clf.transform):
        with pytest.raises(ValueError, match=r"DataLoader.*\(X\.dataset\)"):
            method(loader)
    np.testing.assert_array_equal(clf.predict_proba(loader.dataset), expected)


def test_a_dict_of_inputs_is_refused_naming_them(data):
    # skorch passes a dict's arrays to forward as keyword arguments; fit,
    # partial_fit and predict failed in float().
    X, y = data
    several = {"left": X[:, :2], "right": X[:, 2:]}
    clf = LongTailClassifier(**FAST)
    message = r"dict of inputs \('left', 'right'\).*one input"
    for method in (clf.fit, clf.partial_fit):
        with pytest.raises(TypeError, match=message):
            method(several, y)
    clf.fit(X, y)
    for method in (clf.predict, clf.predict_proba, clf.transform):
        with pytest.raises(TypeError, match=message):
            method(several)
    with pytest.raises(TypeError, match=r"dict of inputs \('data'\)"):
        clf.fit({"data": X}, y)


def test_a_dict_of_one_input_is_refused_saying_to_pass_it(data):
    # skorch's DataFrameTransformer gives {"X": ...} for a frame of numbers,
    # and a SliceDict of one array is one input: the advice was to join the
    # inputs into one array.
    X, y = data
    frame = {"X": X.astype(np.float32)}
    one = r"dict of inputs \('X'\).*Pass its one input, X\['X'\], as X"
    with pytest.raises(TypeError, match=one):
        LongTailClassifier(**FAST).fit(frame, y)
    sliced = SliceDict(X=X)
    with pytest.raises(TypeError, match=r"SliceDict of inputs.*X\['X'\], as X"):
        LongTailClassifier(**FAST).fit(sliced, y)


@pytest.mark.parametrize("container", [list, tuple])
def test_a_list_of_inputs_is_refused_naming_them(data, container):
    # skorch passes a list of arrays to forward as several inputs; read as
    # one array of 2 samples, fit failed with "Found input variables with
    # inconsistent numbers of samples: [2, 240]" and predict with "X has
    # 240 features".
    X, y = data
    several = container([X[:, :2], X[:, 2:]])
    clf = LongTailClassifier(**FAST)
    message = rf"{container.__name__} of 2 inputs of 240 rows.*one input"
    for method in (clf.fit, clf.partial_fit):
        with pytest.raises(ValueError, match=message):
            method(several, y)
    with pytest.raises(ValueError, match=r"one input of 240 rows.*X\[0\], as X"):
        clf.fit(container([X]), y)
    clf.fit(X, y)
    shape = r"X has shape \(2, 240, 2\), but .* samples of shape \(5,\)"
    for method in (clf.predict, clf.predict_proba, clf.transform):
        with pytest.raises(ValueError, match=shape):
            method(container([X[:, :2], X[:, 2:4]]))
    with pytest.raises(ValueError, match=r"X has shape \(2, 240, 5\)"):
        clf.partial_fit(container([X, X]), y[:2])
    # rows of as many features as labels are rows too: scikit-learn's words
    with pytest.raises(ValueError, match=r"inconsistent numbers of samples: \[3, 5\]"):
        LongTailClassifier(**FAST).fit(container(X[:3, :5]), y[:5])
    # a list of rows is a table, as before
    np.testing.assert_array_equal(
        clf.predict_proba(container(list(X))), clf.predict_proba(X)
    )


def test_a_dict_of_sample_weights_is_refused_naming_fit_sample_weight(data):
    # skorch's way of giving sample weights: advised to be joined with the
    # input into one array.
    X, y = data
    weighted = {"data": X, "sample_weight": np.ones(len(y))}
    with pytest.raises(TypeError, match=r"fit\(X, y, sample_weight=\.\.\.\)"):
        LongTailClassifier(**FAST).fit(weighted, y)


@pytest.mark.parametrize("container", [sparse.dok_array, sparse.dok_matrix])
def test_a_dok_sparse_matrix_is_refused_as_sparse(data, container):
    # A DOK matrix is a dict of its cells: it was refused as "a dict of
    # inputs" listing them (SciPy before 1.13 failed listing them).
    X, y = data
    with pytest.raises(TypeError, match="Sparse data was passed"):
        LongTailClassifier(**FAST).fit(container(X), y)


def test_a_module_returning_a_tuple_predicts_from_its_first_output(data):
    # As skorch's predict_proba; the softmax of "auto" failed on the tuple
    # ("softmax(): argument 'input' ... must be Tensor, not tuple"), in the
    # validation score of a fit with a split too.
    X, y = data

    class WithFeatures(torch.nn.Module):
        def __init__(self, n_features, n_classes):
            super().__init__()
            self.hidden = torch.nn.Linear(n_features, 8)
            self.out = torch.nn.Linear(8, n_classes)

        def forward(self, x):
            features = torch.relu(self.hidden(x))
            return self.out(features), features

    class Penalised(LongTailClassifier):
        def get_loss(self, y_pred, y_true, *args, **kwargs):
            logits, features = y_pred
            loss = super().get_loss(logits, y_true, *args, **kwargs)
            return loss + 1e-3 * features.pow(2).mean()

    params = {k: v for k, v in FAST.items() if not k.startswith("module__")}
    split = ValidSplit(4, stratified=True)
    clf = Penalised(WithFeatures, train_split=split, **params).fit(X, y)
    assert len(clf.history[:, "valid_bacc"]) == FAST["max_epochs"]
    logits = clf.forward(X.astype(np.float32), training=False)[0]
    expected = torch.softmax(logits, dim=-1).numpy()
    np.testing.assert_allclose(clf.predict_proba(X), expected, rtol=1e-6)
    np.testing.assert_array_equal(clf.predict(X), clf.classes_[expected.argmax(1)])
    with torch.autocast("cpu", dtype=torch.bfloat16):  # a tuple of bfloat16
        low = clf.predict_proba(X)
    assert low.dtype == np.float32
    np.testing.assert_allclose(low, expected, atol=0.1)


@pytest.mark.parametrize(
    "params",
    [
        {"predict_nonlinearity": None},
        {"predict_nonlinearity": lambda out: torch.softmax(out, dim=-1)},
        {"criterion": torch.nn.NLLLoss, "module": _SoftmaxOutput},
        {},
    ],
    ids=["none", "callable", "nllloss", "auto"],
)
def test_predict_proba_writes_each_batch_into_one_array(data, params):
    # Every nonlinearity: a batch's outputs are freed once written into the
    # result. With predict_nonlinearity=None, or NLLLoss, all the batches
    # were kept, then concatenated: the outputs were held twice.
    X, y = data
    batches, most = [], []

    class Counting(LongTailClassifier):
        def forward_iter(self, X, training=False, device="cpu"):
            for out in super().forward_iter(X, training=training, device=device):
                values = out.numpy().copy()  # the outputs, in an array of their own
                batches.append(weakref.ref(values))
                most.append(sum(batch() is not None for batch in batches))
                yield torch.from_numpy(values)

    fast = dict(FAST, batch_size=16)
    if "module" in params:  # a module of its own, without hidden_sizes
        del fast["module__hidden_sizes"]
    clf = Counting(**fast, **params).fit(X, y)
    batches.clear(), most.clear()
    proba = clf.predict_proba(X)
    assert len(most) == 15 and max(most) <= 2
    assert proba.shape == (240, 3) and proba.dtype == np.float32


def test_in_memory_data_are_moved_to_the_device_once(data):
    X, y = data
    built = []

    class Record(SliceLoader):
        def __init__(self, dataset, **kwargs):
            super().__init__(dataset, **kwargs)
            built.append(kwargs.get("device"))

    clf = LongTailClassifier(iterator_train=Record, **FAST).fit(X, y)
    assert built == [None]  # on the CPU there is nothing to move
    # On another device, the iterator gets the whole tensors there at once.
    clf.device = "meta"
    loader = clf.get_iterator(clf.get_dataset(X.astype(np.float32), y), training=True)
    assert built[-1] == "meta"
    assert loader.X.device.type == loader.y.device.type == "meta"
    Xb, yb = next(iter(loader))
    assert Xb.device.type == "meta" and Xb.shape == (32, 5)


def test_callbacks_read_the_labels_of_a_dataset(data):
    X, y = data
    X = X.astype(np.float32)
    fitted = []
    for X_fit, y_fit in [(X, y), (_Items(X, y), None)]:
        clf = LongTailClassifier(
            train_split=ValidSplit(4, stratified=True),
            callbacks=[TauNormalization(tau="auto")],
            **FAST,
        )
        fitted.append(clf.fit(X_fit, y_fit))
    arrays, dataset = fitted
    assert dataset.history[-1, "tau"] == arrays.history[-1, "tau"]
    np.testing.assert_array_equal(dataset.predict_proba(X), arrays.predict_proba(X))


def test_adam_optimisers_are_fused_unless_told(data):
    # Adam and AdamW take torch's fused implementation by default; an
    # explicit fused/foreach, another optimiser, or parameters it cannot
    # take (the meta device) keep torch's default. Same updates either way.
    X, y = data
    fused = LongTailClassifier(**FAST).fit(X, y)
    assert fused.optimizer_.defaults["fused"] is True
    adam = LongTailClassifier(**FAST, optimizer=torch.optim.Adam).fit(X, y)
    assert adam.optimizer_.defaults["fused"] is True
    for extra in (dict(optimizer__fused=False), dict(optimizer__foreach=True)):
        unfused = LongTailClassifier(**FAST, **extra).fit(X, y)
        assert not unfused.optimizer_.defaults["fused"]
        np.testing.assert_allclose(
            unfused.predict_proba(X), fused.predict_proba(X), atol=1e-5
        )
    sgd = LongTailClassifier(**FAST, optimizer=torch.optim.SGD, lr=0.1).fit(X, y)
    assert not sgd.optimizer_.defaults["fused"]
    sizes = dict(module__n_features=X.shape[1], module__n_classes=3)
    meta = LongTailClassifier(**FAST, **sizes, device="meta").initialize()
    assert not meta.optimizer_.defaults["fused"]
    # parameter groups and a new learning rate keep the fused optimiser
    groups = [("classifier.*", {"lr": 0.1})]
    grouped = LongTailClassifier(**FAST, optimizer__param_groups=groups).fit(X, y)
    assert [g["lr"] for g in grouped.optimizer_.param_groups] == [0.1, 1e-3]
    grouped.set_params(lr=0.01)
    assert grouped.optimizer_.defaults["fused"] is True
    assert grouped.optimizer_.param_groups[1]["lr"] == 0.01


@pytest.mark.parametrize(
    "criterion, params, expected",
    [
        ("class_balanced", {"criterion__loss_type": "sigmoid"}, -np.log(2)),
        ("class_balanced", {"criterion__loss_type": "focal"}, -np.log(2)),
        (ClassBalancedLoss([168, 48, 24], loss_type="focal"), {}, -np.log(2)),
        ("class_balanced", {}, None),
        ("ce", {}, None),
    ],
)
def test_sigmoid_class_balanced_losses_start_the_bias_at_the_prior(
    data, criterion, params, expected
):
    # Cui et al.'s code starts each sigmoid at pi = 1 / C: b = -log(C - 1);
    # the bias started at torch's default, the sigmoids at about 1/2.
    X, y = data
    clf = LongTailClassifier(criterion=criterion, **{**FAST, "max_epochs": 0}, **params)
    bias = clf.fit(X, y).module_.classifier.bias.detach().numpy()
    if expected is None:
        assert np.ptp(bias) > 0  # torch's random initialisation
    else:
        np.testing.assert_allclose(bias, expected, rtol=1e-6)


class _SigmoidCB(ClassBalancedLoss):
    """A class-balanced loss that fixes its loss_type (no such parameter)."""

    def __init__(self, class_counts, beta=0.999):
        super().__init__(class_counts, beta=beta, loss_type="sigmoid")


class _KeywordCB(ClassBalancedLoss):
    """A class-balanced loss that passes its keywords on."""

    def __init__(self, class_counts, **kwargs):
        super().__init__(class_counts, **kwargs)


@pytest.mark.parametrize(
    "criterion, params, prior",
    [
        (_SigmoidCB, {}, False),  # loss_type unknown before it is built
        (_KeywordCB, {"criterion__loss_type": "sigmoid"}, True),
        (_KeywordCB, {}, False),
    ],
)
def test_class_balanced_subclasses_without_a_loss_type_parameter_fit(
    data, criterion, params, prior
):
    # Reading the bias's loss_type from the class signature raised KeyError.
    X, y = data
    clf = LongTailClassifier(criterion=criterion, **{**FAST, "max_epochs": 0}, **params)
    bias = clf.fit(X, y).module_.classifier.bias.detach().numpy()
    assert isinstance(clf.criterion_, criterion)
    if prior:
        np.testing.assert_allclose(bias, -np.log(2), rtol=1e-6)
    else:
        assert np.ptp(bias) > 0


def test_prior_adjusted_loss_with_a_class_balanced_sampler_warns(data):
    # Balanced softmax + class-balanced sampling weights class j by ~1/n_j**2
    # (Ren et al. 2020, Table 5); the combination went through silently.
    X, y = data
    match = "compensated twice"
    for criterion, params in [
        ("balanced_softmax", {"sampler": "class_balanced"}),
        ("logit_adjusted", {"sampler": "class_balanced"}),
        ("vs", {"callbacks": [DeferredResampling(start_epoch=1)]}),
    ]:
        with pytest.warns(UserWarning, match=match):
            LongTailClassifier(criterion=criterion, **FAST, **params).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        LongTailClassifier(criterion="ce", sampler="class_balanced", **FAST).fit(X, y)
        LongTailClassifier(criterion="balanced_softmax", **FAST).fit(X, y)
        LongTailClassifier(
            criterion="logit_adjusted",
            criterion__tau=0.0,
            sampler="class_balanced",
            **FAST,
        ).fit(X, y)


def test_class_balanced_loss_with_a_class_balanced_sampler_warns(data):
    # Effective-number weights (about 1 / n_j) on class-balanced batches weight
    # class j by about 1 / n_j ** 2, as a prior-adjusted loss does there; the
    # combination went through silently (digits-LT at imbalance 50, 30 epochs:
    # 0.551 balanced accuracy, against 0.857 and 0.851 for each alone).
    X, y = data
    match = "ClassBalancedLoss already compensates the class prior.*compensated twice"
    for params in [
        {"sampler": "class_balanced"},
        {"callbacks": [DeferredResampling(start_epoch=1)]},
        {"callbacks": [ClassifierRetraining(start_epoch=1)]},
    ]:
        with pytest.warns(UserWarning, match=match):
            LongTailClassifier(criterion="class_balanced", **FAST, **params).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        LongTailClassifier(criterion="class_balanced", **FAST).fit(X, y)
        LongTailClassifier(
            criterion="class_balanced", sampler="square_root", **FAST
        ).fit(X, y)
        LongTailClassifier(  # beta=0: equal weights
            criterion="class_balanced",
            criterion__beta=0.0,
            sampler="class_balanced",
            **FAST,
        ).fit(X, y)


def test_messages_about_a_compiled_loss_name_the_loss_and_module(data):
    # compile=True wraps the loss and the module in torch's OptimizedModule:
    # the sample-weight refusal and the cosine-logits warning named it.
    X, y = data
    compiling = {"compile": True, "compile__backend": "eager", "max_epochs": 1}

    class NoReduction(torch.nn.Module):
        def forward(self, logits, target):
            return torch.nn.functional.cross_entropy(logits, target)

    fast = {**FAST, **compiling}
    clf = LongTailClassifier(criterion=NoReduction(), **fast)
    with pytest.raises(ValueError, match="'sum'; NoReduction has reduction=None"):
        clf.fit(X, y, sample_weight=np.ones(y.size))
    linear = MLP(n_features=5, n_classes=3, hidden_sizes=(16,))
    params = {
        key: value for key, value in fast.items() if key != "module__hidden_sizes"
    }
    clf = LongTailClassifier(linear, criterion="ldam", **params)
    with pytest.warns(UserWarning, match="s=30; MLP has no NormedLinear"):
        clf.fit(X, y)


def test_messages_about_a_compiled_module_name_the_module(data):
    # compile=True wraps the module in torch's OptimizedModule: the refusals
    # of a missing retraining layer and of transform without features named it.
    X, y = data
    compiling = {"compile": True, "compile__backend": "eager", "max_epochs": 1}
    retraining = [ClassifierRetraining(head="nope")]
    clf = LongTailClassifier(callbacks=retraining, **{**FAST, **compiling})
    with pytest.raises(ValueError, match="The module MLP has no layer 'nope'"):
        clf.fit(X, y)

    class NoFeatures(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.linear = torch.nn.Linear(X.shape[1], 3)

        def forward(self, x):
            return self.linear(x)

    params = {**FAST, **compiling}
    del params["module__hidden_sizes"]
    clf = LongTailClassifier(NoFeatures, **params).fit(X, y)
    with pytest.raises(AttributeError, match="penultimate layer; NoFeatures has"):
        clf.transform(X)


def test_prior_adjusted_compiled_loss_with_a_class_balanced_sampler_warns(data):
    # compile=True wraps the loss in torch's OptimizedModule, which is not an
    # instance of the loss's class: the warning was not given.
    X, y = data
    clf = LongTailClassifier(
        criterion="balanced_softmax",
        sampler="class_balanced",
        compile=True,
        compile__backend="eager",
        **FAST,
    )
    with pytest.warns(UserWarning, match="compensated twice"):
        clf.fit(X, y)


def test_cosine_margin_loss_on_a_linear_head_warns(data):
    # LDAM / KPS scale cosines by s; an ordinary linear head's unbounded
    # logits times s went through silently (reference sheet 6.5).
    X, y = data
    linear = MLP(n_features=5, n_classes=3, hidden_sizes=(16,))
    params = {
        key: value for key, value in FAST.items() if key != "module__hidden_sizes"
    }
    for criterion in ("ldam", "kps"):
        with pytest.warns(UserWarning, match="expects cosine logits"):
            LongTailClassifier(linear, criterion=criterion, **params).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        LongTailClassifier(criterion="ldam", **FAST).fit(X, y)  # cosine head
        LongTailClassifier(linear, criterion="ldam", criterion__s=1.0, **params).fit(
            X, y
        )
        LongTailClassifier(linear, criterion="vs", **params).fit(X, y)
        # A module class that takes head gets the cosine one at the next fit.
        clf = LongTailClassifier(**FAST).fit(X, y)
        clf.set_params(criterion="ldam")
        assert isinstance(clf.fit(X, y).module_.classifier, NormedLinear)


@pytest.mark.parametrize("method", ["predict_proba", "predict", "transform"])
def test_evaluation_batches_that_drop_rows_are_named(data, method):
    # It said only "The batches hold 96 rows, not 100."
    X, y = data
    clf = LongTailClassifier(**{**FAST, "max_epochs": 1, "batch_size": 32})
    clf.fit(X, y).set_params(iterator_valid__drop_last=True)
    with pytest.raises(RuntimeError, match="iterator_valid__drop_last=True drops"):
        getattr(clf, method)(X)
    # A sampler of some rows is named, not drop_last, which is not set.
    sampler = torch.utils.data.SubsetRandomSampler(range(100))
    clf.set_params(iterator_valid__drop_last=False, iterator_valid__sampler=sampler)
    with pytest.raises(
        RuntimeError, match="once; iterator_valid__sampler draws the rows.$"
    ):
        getattr(clf, method)(X)
    # One that draws rows more than once: it was numpy's "could not broadcast
    # input array from shape (32,3) into shape (16,3)".
    sampler = torch.utils.data.RandomSampler(
        range(len(X)), replacement=True, num_samples=len(X) + 10
    )
    clf.set_params(iterator_valid__sampler=sampler)
    with pytest.raises(RuntimeError, match=f"hold more than {len(X)} rows: .*sampler"):
        getattr(clf, method)(X)


def test_stack_batches_is_their_concatenation():
    rng = np.random.default_rng(0)
    batches = [rng.random((n, 3)).astype(np.float32) for n in (4, 4, 2)]
    stacked = _stack_batches(iter(batches), 10)
    np.testing.assert_array_equal(stacked, np.concatenate(batches))
    assert stacked.dtype == np.float32
    with pytest.raises(RuntimeError, match="hold 10 rows, not 11: .* once.$"):
        _stack_batches(iter(batches), 11)
    # It was numpy's "could not broadcast input array from shape (2,3) ..."
    with pytest.raises(RuntimeError, match="hold more than 9 rows: .* once.$"):
        _stack_batches(iter(batches), 9)
    with pytest.raises(ValueError, match="at least one array"):
        _stack_batches(iter([]), 0)


def _net_of_many_batches():
    """90 rows and a network fitted on them that reads them in 12 batches."""
    X, y = make_classification(
        n_samples=90, n_features=5, n_informative=3, n_classes=3, random_state=0
    )
    net = LongTailClassifier(
        MLP, max_epochs=1, batch_size=8, random_state=0, verbose=0
    ).fit(X.astype(np.float32), y)
    return X, net


@pytest.mark.parametrize("criterion", ["ce", "ldam"])
def test_predicting_under_autocast_gives_float32_probabilities(data, criterion):
    # A network run under the caller's torch.autocast gives bfloat16 logits
    # on the CPU, whose probabilities failed to convert to NumPy: "Got
    # unsupported ScalarType BFloat16" (transform gave float32 features).
    X, y = data
    clf = LongTailClassifier(**FAST, criterion=criterion).fit(X, y)
    proba = clf.predict_proba(X)
    with torch.autocast("cpu", dtype=torch.bfloat16):
        low = clf.predict_proba(X)
        y_pred = clf.predict(X)
    assert low.dtype == np.float32
    np.testing.assert_allclose(low.sum(axis=1), 1.0, rtol=1e-5)
    np.testing.assert_allclose(low, proba, atol=0.05)
    np.testing.assert_array_equal(y_pred, clf.classes_[low.argmax(axis=1)])
    # the features of transform too, in float32 (NumPy has no bfloat16)
    with torch.autocast("cpu", dtype=torch.bfloat16):
        low_features = clf.transform(X)
    assert low_features.dtype == np.float32
    np.testing.assert_allclose(low_features, clf.transform(X), rtol=0.05, atol=0.05)


@pytest.mark.parametrize(
    "params",
    [
        dict(module=_SoftmaxOutput, criterion=torch.nn.NLLLoss),
        dict(predict_nonlinearity=lambda out: torch.softmax(out, dim=-1)),
        dict(predict_nonlinearity=None, module__hidden_sizes=(16,)),
    ],
    ids=["nll_loss", "callable", "none"],
)
def test_predicting_under_autocast_with_other_nonlinearities(data, params):
    # The probabilities of the module (NLLLoss) or of the user's
    # predict_nonlinearity came in bfloat16 from a network run under the
    # caller's torch.autocast: "Got unsupported ScalarType BFloat16".
    X, y = data
    clf = LongTailClassifier(max_epochs=2, random_state=0, **params).fit(X, y)
    proba = clf.predict_proba(X)
    with torch.autocast("cpu", dtype=torch.bfloat16):
        low = clf.predict_proba(X)
    assert low.dtype == np.float32
    np.testing.assert_allclose(low, proba, atol=0.1)


def test_predict_proba_of_many_batches_stacks_them_in_order():
    X, net = _net_of_many_batches()
    proba = net.predict_proba(X)
    with torch.no_grad():
        logits = net.module_(torch.as_tensor(X, dtype=torch.float32))
    np.testing.assert_allclose(proba, torch.softmax(logits, dim=-1).numpy(), rtol=1e-6)
    assert proba.shape == (90, 3)


def test_transform_holds_no_list_of_the_batches():
    # transform kept every batch's features in a list and then concatenated
    # them, twice the output's memory (570 MiB for 244 MiB of features). Each
    # batch is now written into the output as it comes, as in predict_proba:
    # when a batch is computed, at most the one before it is still held.
    X, net = _net_of_many_batches()
    expected = net.transform(X)
    features = net.module_.features
    outputs, held = [], []

    def recording(x):
        held.append(sum(ref() is not None for ref in outputs))
        out = features(x)
        outputs.append(weakref.ref(out))
        return out

    net.module_.features = recording
    out = net.transform(X)
    assert len(outputs) == 12 and max(held) <= 1
    assert out.dtype == np.float32 and out.flags.c_contiguous
    np.testing.assert_array_equal(out, expected)


def _floating_dtypes(*modules):
    return {
        tensor.dtype
        for module in modules
        for tensor in module.state_dict().values()
        if tensor.is_floating_point()
    }


@pytest.mark.parametrize(
    "params",
    [{"criterion": name} for name in LOSSES]
    + [
        {"criterion": "ce", "criterion__weight": torch.tensor([1.0, 2.0, 3.0])},
        {"criterion": VSTLALoss, "callbacks": [TruncatedReweighting(0.5)]},
        {"callbacks": [ClassifierRetraining(method="crt", start_epoch=0.5)]},
        {"callbacks": [ClassifierRetraining(method="lws", start_epoch=0.5)]},
        {"callbacks": [TauNormalization()]},
        {"sampler": "progressive", "amp": True},
    ],
    ids=LOSSES + ["weight", "vs-tla", "crt", "lws", "tau-norm", "progressive-amp"],
)
def test_a_float64_default_dtype_trains_in_float32(data, float64_default, params):
    # torch.set_default_dtype(torch.float64) made the network and the loss
    # that ltlearn builds float64 while the batches are float32.
    X, y = data
    clf = LongTailClassifier(**FAST, **params).fit(X, y)
    assert _floating_dtypes(clf.module_, clf.criterion_) == {torch.float32}
    proba = clf.predict_proba(X)
    assert proba.dtype == np.float32 and np.allclose(proba.sum(axis=1), 1.0)
    assert clf.transform(X).dtype == np.float32
    assert len(clf.get_feature_names_out()) == clf.transform(X).shape[1]
    assert torch.get_default_dtype() == torch.float64  # left as the user set it
    again = LongTailClassifier(**FAST, **params).fit(X, y)
    assert np.array_equal(again.predict_proba(X), proba)


def test_partial_fit_and_images_with_a_float64_default_dtype(data, float64_default):
    X, y = data
    clf = LongTailClassifier(**FAST, classes=[0, 1, 2])
    clf.partial_fit(X[:120], y[:120]).partial_fit(X[120:], y[120:])
    assert _floating_dtypes(clf.module_, clf.criterion_) == {torch.float32}
    images = np.random.RandomState(0).rand(30, 1, 6, 6)
    cnn = LongTailClassifier(module=SmallCNN, max_epochs=1, random_state=0)
    cnn.fit(images, np.arange(30) % 3)
    assert cnn.predict_proba(images).dtype == np.float32


class _CastingLinear(torch.nn.Module):
    """A linear layer that casts its input to its own dtype."""

    def __init__(self, n_features, n_classes):
        super().__init__()
        self.classifier = torch.nn.Linear(n_features, n_classes)

    def forward(self, x):
        return self.classifier(x.to(self.classifier.weight.dtype))


def test_a_module_instance_in_float64_is_used_as_is_with_a_clear_error(data):
    # An instance is used as is: one of float64 parameters failed at the
    # first batch with torch's "mat1 and mat2 must have the same dtype".
    X, y = data
    module = MLP(n_features=X.shape[1], n_classes=3, hidden_sizes=(8,)).double()
    with pytest.raises(TypeError, match=r"has float64 parameters.*module\.float\(\)"):
        LongTailClassifier(module=module, max_epochs=1).fit(X, y)
    LongTailClassifier(module=module.float(), max_epochs=1).fit(X, y)
    # A module that casts the batches itself trains in its own dtype.
    casting = _CastingLinear(X.shape[1], 3).double()
    clf = LongTailClassifier(module=casting, max_epochs=1).fit(X, y)
    assert clf.module_.classifier.weight.dtype == torch.float64
    assert np.allclose(clf.predict_proba(X).sum(axis=1), 1.0)


def test_other_errors_of_a_float64_module_are_not_called_a_dtype_error(data):
    # Only torch's errors about mixed dtypes name the module's dtype: a shape
    # that does not match stays torch's RuntimeError, with its message.
    X, y = data
    casting = _CastingLinear(X.shape[1] - 1, 3).double()
    with pytest.raises(RuntimeError, match="shapes cannot be multiplied") as info:
        LongTailClassifier(module=casting, max_epochs=1).fit(X, y)
    assert type(info.value) is RuntimeError


class _TokenBag(torch.nn.Module):
    """Token ids through an embedding, a bag, one-hot codes or a lookup."""

    def __init__(self, kind="embedding", cast=False):
        super().__init__()
        self.kind, self.cast = kind, cast
        self.embedding = torch.nn.Embedding(10, 4)
        self.bag = torch.nn.EmbeddingBag(10, 4)
        self.table = torch.nn.Parameter(torch.randn(10, 4))
        self.classifier = torch.nn.Linear(4, 2)

    def features(self, x):
        if self.kind == "bag":
            return self.bag(x)
        if self.kind == "one_hot":
            return torch.nn.functional.one_hot(x, 10).float().mean(1)[:, :4]
        if self.kind == "index_select":
            return self.table.index_select(0, x.flatten()).view(len(x), -1, 4).mean(1)
        if self.kind == "gather":
            index = x[:, :, None].expand(-1, -1, 4)
            return self.table.expand(len(x), 10, 4).gather(1, index).mean(1)
        if self.kind == "indexing":
            return self.table[x].mean(1)
        return self.embedding(x).mean(1)

    def forward(self, x):
        if self.cast:
            x = x.long()
        return self.classifier(self.features(x))


@pytest.mark.parametrize(
    "kind", ["embedding", "bag", "one_hot", "index_select", "gather", "indexing"]
)
def test_token_ids_read_as_float32_get_an_error_naming_the_cast(kind):
    # X is read as float32, integers included: an nn.Embedding of integer
    # token ids failed with torch's "Expected tensor for argument #1
    # 'indices' to have one of the following scalar types: Long, Int; but
    # got torch.FloatTensor", which named neither the cast nor the fix
    # (index_select "Expected dtype int32 or int64 for index", indexing an
    # IndexError "tensors used as indices must be long").
    rng = np.random.RandomState(0)
    X = rng.randint(0, 10, size=(40, 5)).astype(np.int64)
    y = np.r_[np.zeros(30), np.ones(10)].astype(int)
    clf = LongTailClassifier(module=_TokenBag(kind), max_epochs=1)
    match = r"float32 batches.*module's forward, e\.g\. self\.embedding\(x\.long\(\)\)"
    with pytest.raises(TypeError, match=match + r".*\(torch: "):
        clf.fit(X, y)
    # Cast in forward, as the message says, the ids train and predict.
    clf = LongTailClassifier(module=_TokenBag(kind, cast=True), max_epochs=1)
    assert clf.fit(X, y).predict(X).shape == (40,)
    # A module that casts only at training gets the message at predict.
    clf.module_.cast = False
    with pytest.raises(TypeError, match=match):
        clf.predict_proba(X)


def test_token_ids_cast_in_forward_only_are_told_to_be_cast_in_features():
    # transform calls the module's features, not its forward: it failed in
    # torch's words where forward cast the ids.
    rng = np.random.RandomState(0)
    X = rng.randint(0, 10, size=(40, 5)).astype(np.int64)
    y = np.r_[np.zeros(30), np.ones(10)].astype(int)
    clf = LongTailClassifier(module=_TokenBag(cast=True), max_epochs=1).fit(X, y)
    match = r"module's features \(transform calls it\), e\.g\. self\.embedding"
    with pytest.raises(TypeError, match=match):
        clf.transform(X)
    with pytest.raises(TypeError, match=match):
        clf.get_feature_names_out()


class _FloatColumns(torch.nn.Module):
    """Reads three columns of X through a float buffer of their positions."""

    def __init__(self):
        super().__init__()
        self.register_buffer("columns", torch.tensor([0.0, 2.0, 4.0]))
        self.classifier = torch.nn.Linear(3, 2)

    def forward(self, x):
        return self.classifier(x[:, self.columns])


def test_float_indices_of_the_module_itself_are_not_said_to_be_its_input():
    # The float tensor indexing may be the module's own, not its input: the
    # error said "The module indexes with its input", advising x.long().
    rng = np.random.RandomState(0)
    X, y = rng.rand(40, 5), np.r_[np.zeros(30), np.ones(10)].astype(int)
    clf = LongTailClassifier(module=_FloatColumns(), max_epochs=1)
    with pytest.raises(TypeError, match=r"indexes with a float tensor: its input, say"):
        clf.fit(X, y)


@pytest.mark.parametrize("classes", [{0, 1, 2}, frozenset({0, 1, 2})])
def test_classes_given_as_a_set_are_refused_by_name(data, classes):
    # A set said "y should be a 1d array, got an array of shape ()", of y;
    # scikit-learn's partial_fit refuses a set as not an array-like.
    X, y = data
    match = r"classes should be an array-like.*no order.*sorted\(classes\)"
    with pytest.raises(ValueError, match=match):
        LongTailClassifier(**FAST, classes=classes).fit(X, y)
    with pytest.raises(ValueError, match=match):
        LongTailClassifier(**FAST).partial_fit(X, y, classes=classes)
    clf = LongTailClassifier(**FAST).partial_fit(X, y, classes=sorted(classes))
    with pytest.raises(ValueError, match=match):  # not "not the same classes"
        clf.partial_fit(X, y, classes=classes)
    assert clf.classes_.tolist() == [0, 1, 2]


@pytest.mark.filterwarnings("ignore:A column-vector y was passed")
def test_classes_given_as_a_column_are_taken(data):
    # As scikit-learn's partial_fit, a column of labels is taken.
    X, y = data
    column = np.array([[0], [1], [2]])
    clf = LongTailClassifier(**FAST, classes=column).fit(X, y)
    assert clf.classes_.tolist() == [0, 1, 2]
    clf = LongTailClassifier(**FAST).partial_fit(X, y, classes=column)
    assert clf.classes_.tolist() == [0, 1, 2]
