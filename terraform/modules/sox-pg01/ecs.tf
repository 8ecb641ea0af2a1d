# The cluster and the Fargate task definition. Airflow starts the tasks (RunTask) and always
# overrides the command: the upstream image's default CMD is dead.

resource "aws_ecs_cluster" "this" {
  name = var.name

  setting {
    name  = "containerInsights"
    value = "enabled"
  }

  tags = local.tags
}

resource "aws_ecs_task_definition" "job" {
  family                   = var.task_family
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = var.cpu
  memory                   = var.memory
  execution_role_arn       = aws_iam_role.execution.arn
  task_role_arn            = aws_iam_role.task.arn

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = "X86_64"
  }

  # Writable scratch space on the task's ephemeral storage; the root file system stays read-only.
  volume {
    name = "work"
  }
  volume {
    name = "tmp"
  }

  container_definitions = jsonencode([
    {
      name                   = var.container_name
      image                  = local.image
      essential              = true
      memory                 = var.memory
      user                   = "1000:1000"
      command                = ["reconcile"]
      readonlyRootFilesystem = true
      stopTimeout            = 120
      mountPoints = [
        { sourceVolume = "work", containerPath = "/var/lib/sox", readOnly = false },
        { sourceVolume = "tmp", containerPath = "/tmp", readOnly = false },
      ]
      environment = [
        { name = "SOX_WORK_ROOT", value = "/var/lib/sox" },
      ]
      # The only secret the job reads; injected by the ECS agent, never passed by Airflow.
      secrets = [
        { name = "DB_CONNECTION_STRING", valueFrom = var.db_secret_arn },
      ]
      logConfiguration = {
        logDriver = "awslogs"
        options = {
          awslogs-group         = aws_cloudwatch_log_group.task.name
          awslogs-region        = local.region
          awslogs-stream-prefix = "ecs"
        }
      }
    }
  ])

  tags = local.tags
}
