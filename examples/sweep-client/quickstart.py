"""The SWEEP documentation's client script ("Code examples": set up the API, add a destination, add a function,
add a workflow, launch and monitor it), run against Sweep with the `sweep-client` package:

    pip install ./clients/python
    export $(make run | grep ^SWEEP_)          # SWEEP_URL and SWEEP_API_KEY of the admin `make run` creates
    python examples/sweep-client/quickstart.py

The calls below are the documentation's, keyword for keyword. Only the setup differs: the values come from the
environment (SWEEP_USERNAME, default `admin`; SWEEP_API_KEY, or the password in SWEEP_PASSWORD; SWEEP_URL), and the
destination is Sweep's `local` one (functions run from their uploaded zip by the local Python runtime, which
`make run` enables) instead of an AWS account. Paths are relative to this folder.
"""
import os
import zipfile

from sweep_client import SWEEPApiClient

os.chdir(os.path.dirname(os.path.abspath(__file__)))

# ## Setting up the API
user = os.environ.get('SWEEP_USERNAME', 'admin')
key = os.environ.get('SWEEP_API_KEY') or os.environ['SWEEP_PASSWORD']
url = os.environ.get('SWEEP_URL', 'http://127.0.0.1:8080')

sweep_client = SWEEPApiClient(user, key, url)

# ## Add a destination definition
response = sweep_client.register_destination(dfile='def_dest1.json', user=user)
print(response)

# ## Add a function definition
# Step 1: Write the function and compress it (SWEEP: cd hello_world_function; zip -g hello_world.zip main.py)
with zipfile.ZipFile('hello_world_function/hello_world.zip', 'w') as archive:
    archive.write('hello_world_function/main.py', 'main.py')

# Step 2: Upload the function definition to SWEEP
response = sweep_client.upload_function_def(
    function_def_file='hello_world_function/fdef_hello_world.json',
    function_code_file='hello_world_function/hello_world.zip',
    user=user)
print(response)

# ## Add a workflow definition
response = sweep_client.register_workflow(
    wffile='hello_world_workflow/workflow_def_hello_world.json',
    user=user)
print(response)

# ## Launch and monitor the workflow
response = sweep_client.launch_workflow(
    wid='wfdef_hello_world',
    user=user)
lid = response['launch_id']

response = sweep_client.launch_status(wid='wfdef_hello_world', lid=lid, user=user)
print(response)
