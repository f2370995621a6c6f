"""Run by Debian's /usr/bin/python3 (PyQGIS 3.22): open a .qgs, read every layer, check each feature gets a symbol,
render the project to a PNG without antialiasing, and print a JSON report."""

import json
import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
from qgis.core import (  # noqa: E402
    QgsApplication,
    QgsExpressionContextUtils,
    QgsMapRendererSequentialJob,
    QgsMapSettings,
    QgsProject,
    QgsRenderContext,
)
from qgis.PyQt.QtCore import QSize  # noqa: E402
from qgis.PyQt.QtGui import QColor  # noqa: E402

project_path, png_path = sys.argv[1], sys.argv[2]
app = QgsApplication([], False)
app.initQgis()
project = QgsProject.instance()
ok = project.read(project_path)
report = {"read": ok, "layers": []}
layers = list(project.mapLayers().values())


def fields_has(layer, name):
    """Whether the layer has the field."""
    return layer.fields().indexOf(name) >= 0


for layer in layers:
    renderer = layer.renderer()
    ctx = QgsRenderContext()
    ctx.expressionContext().appendScopes(QgsExpressionContextUtils.globalProjectLayerScopes(layer))
    renderer.startRender(ctx, layer.fields())
    features = list(layer.getFeatures())
    unsymbolled = []
    for f in features:
        ctx.expressionContext().setFeature(f)
        if not renderer.symbolsForFeature(f, ctx):
            unsymbolled.append(f["land_use_codes"] if fields_has(layer, "land_use_codes") else f.id())
    renderer.stopRender(ctx)
    fields = layer.fields()
    report["layers"].append({
        "name": layer.name(), "valid": layer.isValid(), "provider": layer.providerType(),
        "renderer": renderer.type(), "features": len(features), "unsymbolled": len(unsymbolled),
        "unsymbolled_values": sorted(set(map(str, unsymbolled)))[:20],
        "categories": len(getattr(renderer, "categories", lambda: [])()),
        "aliases": {fields.at(i).name(): layer.attributeAlias(i) for i in range(fields.count())},
        "extent": layer.extent().toString()})
settings = QgsMapSettings()
settings.setLayers(layers)
settings.setDestinationCrs(project.crs())
extent = layers[0].extent() if layers else None
if extent is not None:
    settings.setExtent(extent)
settings.setOutputSize(QSize(800, 800))
settings.setBackgroundColor(QColor(0, 0, 0))
settings.setFlag(QgsMapSettings.Antialiasing, False)
job = QgsMapRendererSequentialJob(settings)
job.start()
job.waitForFinished()
image = job.renderedImage()
image.save(png_path, "png")
colours = {}
for y in range(0, image.height(), 2):
    for x in range(0, image.width(), 2):
        c = QColor(image.pixel(x, y))
        key = f"#{c.red():02X}{c.green():02X}{c.blue():02X}"
        colours[key] = colours.get(key, 0) + 1
report["colours"] = colours
print(json.dumps(report))
del layers, layer, renderer
project.clear()
app.exitQgis()
