"""Running the phase templates and reporting on a case.

``workbench.report.run`` executes the templates (``templates/0N_<phase>.ipynb``) with papermill
into the case's ``runs/`` folder and records each run in the audit log. Nothing heavy is imported
here: import the submodule you need.
"""
