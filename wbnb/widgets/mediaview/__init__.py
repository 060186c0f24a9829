"""The MediaView: the audio, video and html runs logged, by key, through the steps.

    import wbnb
    from wbnb.widgets import MediaView
    run.log({"speech": wbnb.Audio(samples, sample_rate=16000, caption="epoch 3")})
    run.log({"rollout": wbnb.Video(frames, fps=8), "report": wbnb.Html("<h1>ok</h1>")})
    MediaView(run)                          # every media key; a step slider per key
    MediaView(["demo/a", "demo/b"], keys="speech")   # runs side by side

The slice: ``contract.py`` (the wire shapes, written as ``js/mediaview/contract.ts``),
``model.py`` (``MediaIndex``: the live index of records and the answers with files),
``waveform.py`` (a WAV's peaks per pixel column: Python's alone), ``steps.py`` (the step
each run shows, the same rule as ``js/mediaview/steps.ts``), ``widget.py`` (``MediaView``),
``picture.py`` (the static picture). The front end is ``js/mediaview/``.
"""

from .model import MediaIndex
from .widget import MediaView

__all__ = ["MediaIndex", "MediaView"]
