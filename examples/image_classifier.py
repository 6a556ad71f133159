"""Trains a small image classifier on PNG files in S3, through both datasets:
the map dataset with a shuffling DataLoader, then the iterable dataset with
sharding over the workers. The images are made and uploaded first.

    python examples/image_classifier.py s3://bucket/prefix/ --region us-east-1 [--endpoint URL]

Prints one line per epoch: the dataset, samples seen, the loss and accuracy.
"""

from __future__ import annotations

import argparse
import io
import random

import torch
from PIL import Image
from torch import nn
from torch.utils.data import DataLoader

from s3torchconnector import S3Client, S3ClientConfig, S3IterableDataset, S3MapDataset, S3Reader

CLASSES = ("red", "blue")
SIZE = 32


def make_image(label: int, rng: random.Random) -> bytes:
    """A noisy square, reddish for class 0 and bluish for class 1."""
    base = (200, 40, 40) if label == 0 else (40, 40, 200)
    image = Image.new("RGB", (SIZE, SIZE))
    image.putdata([tuple(max(0, min(255, c + rng.randint(-40, 40))) for c in base) for _ in range(SIZE * SIZE)])
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def decode(reader: S3Reader) -> tuple[torch.Tensor, int]:
    """Module-level (picklable) transform: key names the class, bytes the image."""
    label = CLASSES.index(reader.key.rsplit("/", 2)[-2])
    image = Image.open(io.BytesIO(reader.read())).convert("RGB")
    pixels = torch.frombuffer(bytearray(image.tobytes()), dtype=torch.uint8)
    return pixels.view(SIZE, SIZE, 3).permute(2, 0, 1).float() / 255, label


def upload(client: S3Client, bucket: str, prefix: str, count: int) -> None:
    rng = random.Random(0)
    for i in range(count):
        label = i % len(CLASSES)
        with client.put_object(bucket, f"{prefix}{CLASSES[label]}/{i:05d}.png") as writer:
            writer.write(make_image(label, rng))


def train(loader: DataLoader, model: nn.Module, optimizer: torch.optim.Optimizer) -> tuple[int, float, float]:
    seen, correct, total_loss = 0, 0, 0.0
    for images, labels in loader:
        optimizer.zero_grad()
        logits = model(images)
        loss = nn.functional.cross_entropy(logits, labels)
        loss.backward()
        optimizer.step()
        seen += len(labels)
        correct += int((logits.argmax(1) == labels).sum())
        total_loss += loss.item() * len(labels)
    return seen, total_loss / seen, correct / seen


def main(argv: list | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("uri")
    parser.add_argument("--region", default="us-east-1")
    parser.add_argument("--endpoint", default=None)
    parser.add_argument("--images", type=int, default=256)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    bucket, _, prefix = args.uri[len("s3://") :].partition("/")
    config = S3ClientConfig(force_path_style=True) if args.endpoint else None
    upload(S3Client(args.region, endpoint=args.endpoint, s3client_config=config), bucket, prefix, args.images)

    torch.manual_seed(0)
    model = nn.Sequential(
        nn.Conv2d(3, 8, 3, stride=2), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(8, len(CLASSES))
    )
    optimizer = torch.optim.Adam(model.parameters(), lr=0.05)
    common = dict(region=args.region, endpoint=args.endpoint, transform=decode, s3client_config=config)
    map_dataset = S3MapDataset.from_prefix(args.uri, **common)
    iterable = S3IterableDataset.from_prefix(args.uri, enable_sharding=True, shuffle_buffer_size=64, **common)
    loaders = [
        ("S3MapDataset", DataLoader(map_dataset, batch_size=32, shuffle=True, num_workers=args.workers)),
        ("S3IterableDataset", DataLoader(iterable, batch_size=32, num_workers=args.workers)),
    ]
    for name, loader in loaders:
        for epoch in range(args.epochs):
            if isinstance(loader.dataset, S3IterableDataset):
                loader.dataset.set_epoch(epoch)
            seen, loss, accuracy = train(loader, model, optimizer)
            print(f"{name} epoch {epoch}: {seen} images, loss {loss:.3f}, accuracy {accuracy:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
