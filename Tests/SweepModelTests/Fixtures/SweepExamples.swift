/// The SWEEP document's example workflows, copied verbatim from shared/seeds/000_28fbf43ac6a3dd89.txt.
enum SweepExamples {
    static let example1 = #"""
{
  "workflow_id": "example1",
  "config": {},
  "tasks": [
    {
      "id": "1",
      "execution_configurations" : [
        {
          "function_def_id" : "my_lambda_function1",
          "priority" : 1
        }
      ],
      "successors": [
        "2",
        "3",
        "4"
      ],
      "properties": {
        "position": "start"
      }
    },
    {
      "id": "2",
      "execution_configurations" : [
        {
          "function_def_id" : "my_lambda_function2",
          "priority" : 1
        }
      ],
      "successors": [],
      "properties": {
        "static_input": {
          "msg": "static input message"
        }
      }
    },
    {
      "id": "3",
      "execution_configurations" : [
        {
          "function_def_id" : "my_lambda_function3",
          "priority" : 1
        }
      ],
      "successors": [
        "4"
      ],
      "properties": {
        "delay": 10
      }
    },
    {
      "id": "4",
      "execution_configurations" : [
        {
          "function_def_id" : "my_lambda_function4",
          "priority" : 1
        }
      ],

      "successors": []
    }
  ]
}
"""#

    static let example2 = #"""
{
  "workflow_id": "example2",
  "config": {},
  "tasks": [
    {
      "id": "1",
      "execution_configurations" : [
        {
          "function_def_id" : "firstFunc",
          "priority" : 1
        }
      ],
      "successors": [
        "2"
      ],
      "properties": {
        "position": "start"
      }
    },
    {
      "id": "2",
      "execution_configurations" : [
        {
          "function_def_id" : "mutFunc",
          "priority" : 1
        }
      ],
      "successors": [
        "3"
      ],
      "properties": {
        "scatter": "predecessor_outputs['1']['tile']"
      }
    },
    {
      "id": "3",
      "execution_configurations" : [
        {
          "function_def_id" : "otherFunc",
          "priority" : 1
        }
      ],
      "successors": []
    }
  ]
}
"""#

    static let example3 = #"""
{
  "workflow_id": "example3",
  "config": {},
  "tasks": [
    {
      "id": "1",
      "execution_configurations" : [
        {
          "function_def_id" : "firstFunc",
          "priority" : 1
        }
      ],
      "successors": [
        "2"
      ],
      "properties": {
        "position": "start"
      }
    },
    {
      "id": "2",
      "execution_configurations" : [
        {
          "function_def_id" : "multFunc",
          "priority" : 1
        }
      ],
      "successors": [
        "3"
      ],
      "properties": {
        "scatter": "predecessor_outputs['1']['tile']"
      }
    },
    {
      "id": "3",
      "execution_configurations" : [
        {
          "function_def_id" : "otherFunc",
          "priority" : 1
        }
      ],
      "successors": [],
      "properties": {
        "follow": "2"
      }
    }
  ]
}
"""#

    static let example4 = #"""
{
  "workflow_id": "example4",
  "config": {},
  "tasks": [
    {
      "id": "1",
      "execution_configurations" : [
        {
          "function_def_id" : "firstFunc",
          "priority" : 1
        }
      ],
      "successors": [
        "2",
        "3"
      ],
      "properties": {
        "position": "start"
      }
    },
    {
      "id": "2",
      "execution_configurations" : [
        {
          "function_def_id" : "multFunc",
          "priority" : 1
        }
      ],
      "successors": [
        "4"
      ],
      "properties": {
        "scatter": "predecessor_outputs['1']['tile']"
      }
    },
    {
      "id": "3",
      "execution_configurations" : [
        {
          "function_def_id" : "lambda_func2",
          "priority" : 1
        }
      ],
      "successors": [
        "4"
      ]
    },
    {
      "id": "4",
      "execution_configurations" : [
        {
          "function_def_id" : "multFunc",
          "priority" : 1
        }
      ],
      "successors": [
        "5"
      ],
      "properties": {
        "follow": "2"
      }
    },
    {
      "id": "5",
      "execution_configurations" : [
        {
          "function_def_id" : "lambda_func2",
          "priority" : 1
        }
      ],
      "successors": []
    }
  ]
}
"""#

    static let example6 = #"""
{
  "workflow_id": "wf_overrides",
  "config": {},
  "tasks": [
    {
      "id": 1,
      "execution_configurations" : [
        {
          "container_def_id" : "cdef_hello_world",
          "priority" : 1
        }
      ],
      "successors": [],
      "properties": {
        "position": "start",
        "command": [
          "sh",
          "-c",
          "printenv USERNAME"
        ],
        "environment": [
          {
            "name": "USERNAME",
            "value": "ka"
          },
          {
            "name": "IND",
            "value": "1"
          }
        ]
      }
    }
  ]
}
"""#

    static let example7 = #"""
{
  "workflow_id": "wf_overrides_dynamic",
  "providers": [],
  "tasks": [
    {
      "id": "1",
      "execution_configurations": [
        {
          "function_def_id": "prepFunc",
          "priority": 1
        }
      ],
      "successors": [
        2
      ],
      "properties": {
        "position": "start"
      }
    },
    {
      "id": 2,
      "execution_configurations": [
        {
          "container_def_id": "cdef_hello_world",
          "priority": 1
        }
      ],
      "successors": [],
      "properties": {
        "scatter": "predecessor_outputs['1']['env_vars']",
        "command": [
          "sh",
          "-c",
          "printenv IND"
        ],
        "environment": "predecessor_outputs['1']['env_vars']"
      }
    }
  ]
}
"""#

    static let example8 = #"""
{
  "workflow_id": "wf_static_output",
  "config": {},
  "tasks": [
    {
      "id": "1",
      "execution_configurations": [
        {
          "function_def_id": "prepFunc",
          "priority": 1
        }
      ],
      "successors": [
        2
      ],
      "properties": {
        "position": "start"
      }
    },
    {
      "id": 2,
      "execution_configurations": [
        {
          "container_def_id": "cdef_hello_world",
          "priority": 1
        }
      ],
      "successors": [
        3
      ],
      "properties": {
        "scatter": "predecessor_outputs['1']['env_vars']",
        "command": [
          "sh",
          "-c",
          "printenv IND"
        ],
        "environment": "predecessor_outputs['1']['env_vars']",
        "static_output": "predecessor_outputs['1']['env_vars']"
      }
    },
    {
      "id": 3,
      "execution_configurations": [
        {
          "container_def_id": "cdef_hello_world",
          "priority": 1
        }
      ],
      "successors": [
        4
      ],
      "properties": {
        "follow": 2,
        "command": [
          "sh",
          "-c",
          "printenv IND"
        ],
        "environment": "predecessor_outputs['2']['static_output']",
        "static_output": "predecessor_outputs['2']['static_output']"
      }
    },
    {
      "id": 4,
      "execution_configurations": [
        {
          "container_def_id": "cdef_hello_world",
          "priority": 1
        }
      ],
      "successors": [],
      "properties": {
        "follow": 2,
        "command": [
          "sh",
          "-c",
          "printenv IND"
        ],
        "environment": "predecessor_outputs['3']['static_output']"
      }
    }
  ]
}
"""#

}
