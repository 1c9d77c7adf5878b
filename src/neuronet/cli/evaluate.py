"""`neuronet evaluate RUN`: the test report of a trained run, recomputed from its weights."""

from neuronet.cli.common import choice, table
from neuronet.cli.run import check_dataset_fits, load_trained_model, report_rows, test_report
from neuronet.data.registry import dataset_names


def add_parser(commands):
    p = commands.add_parser(
        "evaluate", help="test accuracy, macro F1, ... of a trained run",
        description="Rebuild the model of a run folder from its config.json and "
                    "model.safetensors, and report its metrics on a test split.")
    p.add_argument("run_folder", metavar="RUN", help="run folder written by neuronet train")
    p.add_argument("--dataset", type=choice("dataset", dataset_names),
                   help="dataset whose test split to use; it must have the input shape and "
                        "classes the model was trained for (default: the run's own dataset)")
    p.set_defaults(run=run)


def run(args):
    config, model = load_trained_model(args.run_folder)
    spec = check_dataset_fits(config, args.dataset or config["dataset"])
    x, y = spec.load("test")
    report = test_report(model, x, y, len(config["classes"]))
    print(f"{config['model']} of {args.run_folder} on the {spec.name} test split "
          f"({len(y):,} samples)")
    print(table(report_rows(report["metrics"]), header=("metric", "value")))
    return 0
