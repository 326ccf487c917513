import uuid

from flask import Flask, jsonify

from reports.tasks import build_report

api = Flask(__name__)


@api.post("/reports")
def request_report():
    report_id = str(uuid.uuid4())
    build_report.delay(report_id)
    return jsonify(id=report_id, status="queued"), 202
