"""Photos on proposals and PDF background papers: add, remove, hide, and serve their files.

This package is one blueprint: `bp`, defined here; its routes module adds to it, and
`pb.web.blueprints` imports it. Other features' pages show photos and papers through the
template globals it installs (`picture_thumbnails`, `low_data`), never by importing it.
"""

from flask import Blueprint

bp = Blueprint("pictures", __name__)
