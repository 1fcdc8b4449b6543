#pragma once
#include <fcgiapp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <signal.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
